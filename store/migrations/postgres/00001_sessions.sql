-- +goose Up
CREATE TABLE sessions (
    key          TEXT PRIMARY KEY,        -- SHA-256 of the session id; the id itself is never stored
    subject      TEXT NOT NULL,
    email        TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL DEFAULT '',
    groups       TEXT[] NOT NULL DEFAULT '{}',
    id_token     TEXT NOT NULL DEFAULT '',
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    token_expiry TIMESTAMPTZ              -- NULL: the provider said nothing
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE login_attempts (
    state       TEXT PRIMARY KEY,
    binding     TEXT NOT NULL,            -- SHA-256 of the browser's login cookie
    nonce       TEXT NOT NULL,
    verifier    TEXT NOT NULL,
    return_to   TEXT NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_attempts_expires_at ON login_attempts (expires_at);

CREATE TABLE secrets (
    name        TEXT PRIMARY KEY,
    value       BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE secrets;
DROP TABLE login_attempts;
DROP TABLE sessions;
