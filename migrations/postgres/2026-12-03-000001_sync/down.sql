DROP TABLE record_audiences;
DROP TABLE idempotency_keys;
DROP INDEX changes_at_idx;
ALTER TABLE change_head DROP COLUMN pruned_through;
ALTER TABLE changes DROP COLUMN audience_before;
ALTER TABLE changes DROP COLUMN audience;
