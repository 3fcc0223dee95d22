-- +goose Up
-- The audit trail: append-only, hash-chained records. A record is never
-- updated; whole segments covered by a signed checkpoint may be pruned.
CREATE TABLE audit_records (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    customer  TEXT NOT NULL DEFAULT '',
    actor_ref TEXT NOT NULL DEFAULT '',
    body      BLOB NOT NULL,
    personal  BLOB,
    prev      BLOB,
    hash      BLOB NOT NULL
);
CREATE INDEX audit_records_customer ON audit_records (customer, seq);
CREATE INDEX audit_records_actor ON audit_records (actor_ref, seq);
CREATE INDEX audit_records_at ON audit_records (at);

-- The newest record's sequence and hash, one row: appends lock it, so that
-- instances sharing the database extend one chain.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash BLOB
);
INSERT INTO audit_head (id, seq) VALUES (1, 0);

-- Signed statements of the chain's length and head.
CREATE TABLE audit_checkpoints (
    seq       INTEGER PRIMARY KEY,
    head      BLOB NOT NULL,
    at        INTEGER NOT NULL,
    key_id    TEXT NOT NULL,
    signature BLOB NOT NULL
);

-- Per-person keys of the records' personal part; deleting one erases what
-- the trail says of that person without touching the chain.
CREATE TABLE audit_keys (
    ref        TEXT PRIMARY KEY,
    wrapped    BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE audit_keys;
DROP TABLE audit_checkpoints;
DROP TABLE audit_head;
DROP TABLE audit_records;
