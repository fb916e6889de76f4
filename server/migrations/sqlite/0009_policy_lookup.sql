-- The policy endpoint asks, per call, for a conference's windows around now: by conference,
-- then by end, so a long series is a range scan rather than a walk over all its occurrences.
CREATE INDEX conference_windows_by_conference_end
    ON conference_windows (integration, global_object_id, end_at);
