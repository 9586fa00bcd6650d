-- The memory phase's rate of each attestation (docs/protocol.md section 2.2; memory.window's
-- figure shownTBps, TB/s on the validator's clock), for the API's medians as 'validator fleet'
-- reports them; null without a memory phase.

ALTER TABLE attestations ADD COLUMN memory_tbps DOUBLE PRECISION;
