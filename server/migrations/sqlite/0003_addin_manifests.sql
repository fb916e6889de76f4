-- The add-in manifest of each integration: the fingerprint of its generated content and a
-- version counter raised whenever that fingerprint changes (the manifest version is 1.0.<n>.0).
ALTER TABLE integrations ADD COLUMN manifest_fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE integrations ADD COLUMN manifest_version INTEGER NOT NULL DEFAULT 0;
