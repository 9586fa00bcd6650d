-- The provider list read in one query, whatever the history (docs/benchmarks.md, "Service"):
-- each provider's totals and latest attestation kept on its row, in the same transaction as
-- every attestation's result (Store.finish, Store.index), instead of counted over every
-- attestation at each read. `version` grows with every change of the row, so an instance's
-- in-memory view of the list (store.FleetState) keeps only the newest of what it read;
-- `results` grows with every result, so the view re-reads a provider's rates only when one
-- changed. Both databases read these types alike (V1's comment).

ALTER TABLE providers ADD COLUMN passed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE providers ADD COLUMN failed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE providers ADD COLUMN prover_failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE providers ADD COLUMN last_pass_ms BIGINT;
ALTER TABLE providers ADD COLUMN last_id TEXT;
ALTER TABLE providers ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE providers ADD COLUMN results BIGINT NOT NULL DEFAULT 0;

-- The latest finished attestation and the latest pass of one provider, each one index probe.
CREATE INDEX attestations_by_provider_finished ON attestations (provider, finished_ms);
CREATE INDEX attestations_by_provider_state ON attestations (provider, state, finished_ms);

UPDATE providers SET
  passed = (SELECT COUNT(*) FROM attestations a WHERE a.provider = providers.name
      AND a.state = 'PASSED'),
  failed = (SELECT COUNT(*) FROM attestations a WHERE a.provider = providers.name
      AND a.state = 'FAILED'),
  prover_failures = (SELECT COUNT(*) FROM attestations a WHERE a.provider = providers.name
      AND a.prover_failure IS NOT NULL),
  last_pass_ms = (SELECT MAX(a.finished_ms) FROM attestations a
      WHERE a.provider = providers.name AND a.state = 'PASSED'),
  last_id = (SELECT a.id FROM attestations a WHERE a.provider = providers.name
      AND a.finished_ms IS NOT NULL ORDER BY a.finished_ms DESC, a.id LIMIT 1),
  results = 1;
