-- +goose Up
-- When each session was last used (at most as often as the session is read
-- from the store), for the idle timeout. 0: not since it was created.
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE sessions DROP COLUMN last_seen_at;
