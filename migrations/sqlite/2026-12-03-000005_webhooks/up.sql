-- Webhooks (API.md §8): subscriptions, the queue of thin notices, and the log of attempts.

-- One subscription: the client whose view the notices follow, where they go, and the secret
-- that signs them. The secret is kept as is (it signs every POST); it is shown once, at creation
-- and at rotation, and never in a GET.
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL REFERENCES clients (id),
    url TEXT NOT NULL,
    -- A JSON array of resource names, or NULL for every resource the client may see.
    resources TEXT,
    description TEXT,
    active BOOLEAN NOT NULL,
    -- Set when a notice could not be delivered for 3 days: nothing more is queued or sent until
    -- an admin sets `active` again (the client catches up from the change feed).
    failing_since TIMESTAMP,
    secret TEXT NOT NULL,
    -- The secret before the last rotation, also signing until `previous_secret_until`.
    previous_secret TEXT,
    previous_secret_until TIMESTAMP,
    -- The last change-feed entry turned into notices (or found not to concern the client).
    feed_after BIGINT NOT NULL,
    -- When the oldest undelivered notice is due (NULL: none is waiting).
    next_attempt_at TIMESTAMP,
    -- The instance working on this subscription, until when (a crashed sender's lease runs out).
    lease_until TIMESTAMP,
    leased_by TEXT,
    -- When an instance last claimed it: claims go oldest first, so no subscription starves.
    claimed_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX webhooks_created_idx ON webhooks (created_at, id);
CREATE INDEX webhooks_client_idx ON webhooks (client_id);
CREATE INDEX webhooks_claimed_idx ON webhooks (claimed_at);

-- The queue: one row per notice, in the feed's `seq` order per subscription.
CREATE TABLE webhook_notices (
    id TEXT PRIMARY KEY NOT NULL,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    -- The change-feed entry's number: the receiver may resume from the feed after it.
    seq BIGINT NOT NULL,
    resource TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    op TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    queued_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP,
    -- Given up (the subscription became failing, or was switched off or deleted).
    abandoned_at TIMESTAMP,
    UNIQUE (webhook_id, seq)
);
-- The head of each subscription's queue.
CREATE INDEX webhook_notices_waiting_idx ON webhook_notices (webhook_id, seq)
    WHERE delivered_at IS NULL AND abandoned_at IS NULL;
-- The 30-day pruning.
CREATE INDEX webhook_notices_queued_idx ON webhook_notices (queued_at);

-- The delivery log: one row per POST tried.
CREATE TABLE webhook_attempts (
    id TEXT PRIMARY KEY NOT NULL,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    notice_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    op TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    duration_ms INTEGER NOT NULL,
    -- NULL when no answer came (timeout, refused connection, address not allowed).
    status_code INTEGER,
    error TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'retrying', 'abandoned')),
    next_retry_at TIMESTAMP
);
CREATE INDEX webhook_attempts_webhook_idx ON webhook_attempts (webhook_id, created_at, id);
CREATE INDEX webhook_attempts_created_idx ON webhook_attempts (created_at);
