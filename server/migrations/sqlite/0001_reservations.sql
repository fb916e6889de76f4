-- Times are Unix milliseconds (UTC) so both backends store and compare them the same way.
CREATE TABLE integrations (
    id          TEXT PRIMARY KEY,
    addin_id    TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE reservations (
    id             TEXT PRIMARY KEY,
    integration    TEXT NOT NULL,
    alias          TEXT NOT NULL,
    numeric_alias  TEXT NOT NULL,
    marker         TEXT NOT NULL UNIQUE,
    state          TEXT NOT NULL CHECK (state IN ('reserved', 'used', 'expired', 'deleted', 'replaced')),
    user_key       TEXT NOT NULL,
    user_kind      TEXT NOT NULL CHECK (user_kind IN ('entra', 'exchange')),
    tenant_id      TEXT,
    object_id      TEXT,
    email          TEXT,
    msexchuid      TEXT,
    amurl          TEXT,
    meeting_key    TEXT,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

-- An alias is live while reserved or used; no two live reservations share either alias.
CREATE UNIQUE INDEX reservations_live_alias ON reservations (alias) WHERE state IN ('reserved', 'used');
CREATE UNIQUE INDEX reservations_live_numeric_alias ON reservations (numeric_alias) WHERE state IN ('reserved', 'used');
-- One open reservation per user and meeting, so asking twice returns the same alias.
CREATE UNIQUE INDEX reservations_open_meeting ON reservations (integration, user_key, meeting_key)
    WHERE state = 'reserved' AND meeting_key IS NOT NULL;
CREATE INDEX reservations_integration_state ON reservations (integration, state);
