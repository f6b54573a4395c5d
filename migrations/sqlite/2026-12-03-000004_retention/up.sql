-- Retention of youth records (API.md §7): sealing, legal holds, and the record of each pass.

-- When the retention pass sealed the person (every role but the unit then gets 404), and the
-- legal hold that keeps them past `retain_until` (an access request or litigation in progress).
ALTER TABLE persons ADD COLUMN sealed_at TIMESTAMP;
ALTER TABLE persons ADD COLUMN hold_reason TEXT;
ALTER TABLE persons ADD COLUMN hold_placed_at TIMESTAMP;
-- The pass finds the sealed persons due for destruction.
CREATE INDEX persons_sealed_idx ON persons (sealed_at);

-- A referral of a sealed person answers 404 to the agency and the officer; it stays so after
-- the person is destroyed and the referral de-identified.
ALTER TABLE referrals ADD COLUMN sealed_at TIMESTAMP;
-- Retention finds a person's referrals, outcomes and incidents through referrals_person_idx,
-- outcomes_person_idx and incident_persons_person_idx.

-- One row per pass, counts only (never a name or an id of a person).
CREATE TABLE retention_runs (
    id TEXT PRIMARY KEY NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    dry_run BOOLEAN NOT NULL,
    sealed INTEGER NOT NULL,
    destroyed INTEGER NOT NULL,
    held INTEGER NOT NULL,
    errors INTEGER NOT NULL
);
-- `GET /v1/retention/runs`, newest first.
CREATE INDEX retention_runs_started_idx ON retention_runs (started_at, id);
