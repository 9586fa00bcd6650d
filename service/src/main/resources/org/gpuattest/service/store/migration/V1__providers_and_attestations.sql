-- The service's index (docs/service.md, "State"): one schema for SQLite and PostgreSQL, so only
-- types both read alike: TEXT, INTEGER, BIGINT (times as milliseconds since the epoch, UTC),
-- DOUBLE PRECISION; booleans as 0 or 1. Applied by Flyway; never edit a released migration,
-- add the next one.

CREATE TABLE providers (
  name TEXT PRIMARY KEY,
  model TEXT NOT NULL,
  gpus INTEGER NOT NULL,
  interval_ms BIGINT NOT NULL,
  active INTEGER NOT NULL,
  next_due_ms BIGINT NOT NULL,
  lease_owner TEXT,
  lease_until_ms BIGINT,
  failures_in_a_row INTEGER NOT NULL
);

CREATE TABLE attestations (
  id TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  state TEXT NOT NULL,
  instance TEXT,
  requested_ms BIGINT,
  started_ms BIGINT,
  finished_ms BIGINT,
  challenge_id TEXT UNIQUE,
  model TEXT,
  gpus INTEGER NOT NULL,
  summary TEXT,
  failed_checks TEXT,
  prover_failure TEXT,
  backend TEXT,
  tflops_per_gpu DOUBLE PRECISION,
  elapsed_seconds DOUBLE PRECISION,
  archive_path TEXT
);

CREATE INDEX attestations_by_provider ON attestations (provider, started_ms);
CREATE INDEX attestations_by_state ON attestations (state);
