-- +goose Up
-- Decisions people took about identity links: a link confirmed or added by hand,
-- or a pair split apart. Automatic links are recomputed, not stored.
CREATE TABLE identity_links (
    anchor_source TEXT NOT NULL,
    anchor_id     TEXT NOT NULL,
    source        TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    decision      TEXT NOT NULL CHECK (decision IN ('confirmed', 'manual', 'split')),
    rule          TEXT NOT NULL DEFAULT '',
    value         TEXT NOT NULL DEFAULT '',
    actor         TEXT NOT NULL,
    decided_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (anchor_source, anchor_id, source, record_id)
);

-- Every decision, never updated or deleted: who changed which link, and when.
CREATE TABLE identity_link_history (
    seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    anchor_source TEXT NOT NULL,
    anchor_id     TEXT NOT NULL,
    source        TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    decision      TEXT NOT NULL,
    actor         TEXT NOT NULL,
    decided_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX identity_link_history_anchor ON identity_link_history (anchor_source, anchor_id);

-- +goose Down
DROP TABLE identity_link_history;
DROP TABLE identity_links;
