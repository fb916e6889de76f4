-- The scheduling service: conferences of meetings, the mailbox watch, the journal that makes
-- each meeting message processed exactly once, the operations log and the worker lease.

-- The meeting that used a reservation's alias.
ALTER TABLE reservations ADD COLUMN used_by_meeting TEXT;

-- One conference per meeting (global object id) of an integration.
CREATE TABLE conferences (
    integration       TEXT NOT NULL,
    global_object_id  TEXT NOT NULL,
    reservation_id    TEXT,
    alias             TEXT NOT NULL,
    numeric_alias     TEXT NOT NULL,
    subject           TEXT NOT NULL,
    organizer_email   TEXT NOT NULL,
    organizer_name    TEXT,
    reserved_by       TEXT,
    is_series         INTEGER NOT NULL,
    first_start       INTEGER NOT NULL,
    last_end          INTEGER,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (integration, global_object_id)
);
-- Two meetings never share a room.
CREATE UNIQUE INDEX conferences_alias ON conferences (alias);
CREATE INDEX conferences_numeric_alias ON conferences (numeric_alias);
CREATE INDEX conferences_last_end ON conferences (last_end);

-- When a conference's room is open: the meeting, or each occurrence of a series (named by its
-- original start, which stays the same when the occurrence moves).
CREATE TABLE conference_windows (
    integration       TEXT NOT NULL,
    global_object_id  TEXT NOT NULL,
    original_start    INTEGER NOT NULL,
    start_at          INTEGER NOT NULL,
    end_at            INTEGER NOT NULL,
    PRIMARY KEY (integration, global_object_id, original_start),
    FOREIGN KEY (integration, global_object_id)
        REFERENCES conferences (integration, global_object_id) ON DELETE CASCADE
);
CREATE INDEX conference_windows_end ON conference_windows (end_at);

-- The incremental sync of each integration's resource inbox.
CREATE TABLE mailbox_sync (
    integration      TEXT PRIMARY KEY,
    sync_state       TEXT,
    backlog          INTEGER NOT NULL DEFAULT 0,
    last_success_at  INTEGER,
    last_error       TEXT,
    last_error_at    INTEGER
);

-- Every version (item id + change key) of a message the worker picked up, and how far it got:
-- `received`, then `applied` (storage changed, in the same transaction), then `done` (replied).
CREATE TABLE message_journal (
    integration       TEXT NOT NULL,
    item_id           TEXT NOT NULL,
    change_key        TEXT NOT NULL,
    state             TEXT NOT NULL CHECK (state IN ('received', 'applied', 'done')),
    correlation_id    TEXT NOT NULL,
    global_object_id  TEXT,
    -- The reply to send, stored with the storage changes so a restart sends the same one.
    reply             TEXT,
    attempts          INTEGER NOT NULL DEFAULT 0,
    received_at       INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (integration, item_id, change_key)
);
CREATE INDEX message_journal_open ON message_journal (integration, state);

CREATE TABLE operations_log (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    at                INTEGER NOT NULL,
    integration       TEXT NOT NULL,
    global_object_id  TEXT,
    item_id           TEXT,
    action            TEXT NOT NULL,
    outcome           TEXT NOT NULL CHECK (outcome IN ('ok', 'failed')),
    error_code        TEXT,
    correlation_id    TEXT,
    detail            TEXT
);
CREATE INDEX operations_log_recent ON operations_log (integration, at);

-- Which instance works an integration's mailbox, until when.
CREATE TABLE worker_leases (
    integration  TEXT PRIMARY KEY,
    holder       TEXT NOT NULL,
    expires_at   INTEGER NOT NULL
);
