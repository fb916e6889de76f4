-- The janitor looks for open reservations past their lifetime; only those are indexed.
CREATE INDEX reservations_reserved_expiry ON reservations (expires_at) WHERE state = 'reserved';
