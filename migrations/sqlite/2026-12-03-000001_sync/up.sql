-- Who could see each entry's record once the entry's transaction committed (service::audience),
-- and who could see it just before (the previous entry's audience). The feed turns an entry into
-- `access_lost` for a caller that was in the audience before and is not after (API.md §6), and
-- shows a `deleted` entry to the callers that could see the record before it went.
ALTER TABLE changes ADD COLUMN audience TEXT NOT NULL DEFAULT '';
ALTER TABLE changes ADD COLUMN audience_before TEXT NOT NULL DEFAULT '';
-- Each live record's audience as of its last entry: the `audience_before` of its next one. Kept
-- apart from `changes` so that pruning old entries never forgets who can see a record.
CREATE TABLE record_audiences (
    resource TEXT NOT NULL,
    record_id TEXT NOT NULL,
    audience TEXT NOT NULL,
    PRIMARY KEY (resource, record_id)
);
-- Feed retention (CHANGES_RETENTION_DAYS): entries up to this number were pruned; an `after`
-- below it answers 410 resync-required.
ALTER TABLE change_head ADD COLUMN pruned_through BIGINT NOT NULL DEFAULT 0;
-- Pruning finds the entries older than the retention period.
CREATE INDEX changes_at_idx ON changes (at);

-- Idempotency keys (API.md §2, §6): the first response to a POST, replayed for 24 hours to the
-- same client sending the same key and body. `state` is `running` while the first request is in
-- flight (a second one gets 409 idempotency_in_progress), then `done` with the response.
CREATE TABLE idempotency_keys (
    client_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('running', 'done')),
    status INTEGER,
    location TEXT,
    etag TEXT,
    content_type TEXT,
    body TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (client_id, idem_key)
);
-- The 24-hour purge.
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
