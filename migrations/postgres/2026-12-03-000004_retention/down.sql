DROP TABLE retention_runs;
ALTER TABLE referrals DROP COLUMN sealed_at;
DROP INDEX persons_sealed_idx;
ALTER TABLE persons DROP COLUMN hold_placed_at;
ALTER TABLE persons DROP COLUMN hold_reason;
ALTER TABLE persons DROP COLUMN sealed_at;
