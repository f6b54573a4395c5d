-- The change feed (API.md §4 "Change feed", §6): one entry per record a committed transaction
-- created, updated or deleted. `seq` is handed out at the very end of each write transaction,
-- under the lock of the single `change_head` row, which is held until commit: a transaction
-- that numbers later also commits later, so committed numbers only ever grow and a reader that
-- polls `seq > after` never skips an entry that commits after its read (service::journal).
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY NOT NULL,
    resource TEXT NOT NULL,
    record_id TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('created', 'updated', 'deleted')),
    version INTEGER NOT NULL,
    at TIMESTAMP NOT NULL
);
-- One record's entries (access_lost and retention look them up).
CREATE INDEX changes_record_idx ON changes (resource, record_id, seq);

-- The last number handed out; one row.
CREATE TABLE change_head (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    seq BIGINT NOT NULL
);
INSERT INTO change_head (id, seq) VALUES (1, 0);
