-- +goose Up
-- The customers each user opened lately (a few per user, the oldest dropped)
-- and those they pinned to their start page (kept until unpinned).
CREATE TABLE customer_visits (
    subject     TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    opened_at   TIMESTAMPTZ NOT NULL,
    pinned_at   TIMESTAMPTZ,
    PRIMARY KEY (subject, customer_id)
);
CREATE INDEX customer_visits_recent ON customer_visits (subject, opened_at);

-- +goose Down
DROP TABLE customer_visits;
