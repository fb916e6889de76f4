-- The Exchange service account an admin signed in (OAuth authorization code) for an
-- integration: its refresh token, sealed with the integration's token_encryption_key, and
-- whether it must sign in again.
CREATE TABLE exchange_accounts (
    integration           TEXT PRIMARY KEY,
    sealed_refresh_token  TEXT NOT NULL,
    account               TEXT,
    signed_in_at          BIGINT NOT NULL,
    refreshed_at          BIGINT,
    sign_in_required      TEXT,
    sign_in_required_at   BIGINT
);
