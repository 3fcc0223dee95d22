-- +goose Up
-- The identity provider's session id (the ID token's sid), so that its
-- back-channel logout ends the sessions of that sign-in; and the logout
-- tokens already used, kept until they would be refused as too old anyway.
ALTER TABLE sessions ADD COLUMN provider_sid TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_subject ON sessions (subject);
CREATE INDEX sessions_provider_sid ON sessions (provider_sid);

CREATE TABLE used_tokens (
    key         TEXT PRIMARY KEY,         -- SHA-256 of the issuer and the token's jti
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX used_tokens_expires_at ON used_tokens (expires_at);

-- +goose Down
DROP TABLE used_tokens;
DROP INDEX sessions_provider_sid;
DROP INDEX sessions_subject;
ALTER TABLE sessions DROP COLUMN provider_sid;
