-- Per-meeting options chosen in the add-in; NULL leaves the conferencing platform's default.
ALTER TABLE reservations ADD COLUMN host_pin TEXT;
ALTER TABLE reservations ADD COLUMN guest_pin TEXT;
ALTER TABLE reservations ADD COLUMN guests_allowed INTEGER CHECK (guests_allowed IN (0, 1));

-- Users' own permanent VMRs, imported by an admin and offered in the add-in by owner email.
-- Alias lists are JSON arrays of strings.
CREATE TABLE personal_vmrs (
    id               TEXT PRIMARY KEY,
    integration      TEXT NOT NULL,
    owner_email      TEXT NOT NULL, -- lowercase, as look-ups are
    name             TEXT NOT NULL,
    description      TEXT NOT NULL,
    domain_aliases   TEXT NOT NULL,
    other_aliases    TEXT NOT NULL,
    numeric_aliases  TEXT NOT NULL,
    pin              TEXT,
    guest_pin        TEXT,
    allow_guests     INTEGER NOT NULL CHECK (allow_guests IN (0, 1)),
    updated_at       INTEGER NOT NULL,
    UNIQUE (integration, owner_email, name)
);
