-- +goose Up
-- Who started each pending login, so that one browser or one client address
-- cannot fill the store: the newest few per browser binding are kept, and a
-- client address has a bounded number in progress.
ALTER TABLE login_attempts ADD COLUMN client TEXT NOT NULL DEFAULT '';
ALTER TABLE login_attempts ADD COLUMN created_at TIMESTAMPTZ NOT NULL DEFAULT now();
CREATE INDEX login_attempts_binding ON login_attempts (binding, created_at);
CREATE INDEX login_attempts_client ON login_attempts (client, expires_at);

-- +goose Down
DROP INDEX login_attempts_client;
DROP INDEX login_attempts_binding;
ALTER TABLE login_attempts DROP COLUMN created_at;
ALTER TABLE login_attempts DROP COLUMN client;
