-- A recurring series saved whole (new, or edited as a whole) waits for its occurrences to be
-- read from the resource's calendar, where Exchange expands it; set with the save, in the same
-- transaction, and cleared when the windows are stored.
ALTER TABLE conferences ADD COLUMN series_windows_pending BIGINT NOT NULL DEFAULT 0;
CREATE INDEX conferences_series_windows_pending ON conferences (integration)
    WHERE series_windows_pending = 1;
