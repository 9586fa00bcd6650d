package org.gpuattest.service.fleet;

/**
 * One provider as the fleet file writes it (docs/service.md, "The fleet file";
 * testdata/schemas/fleet-file.schema.json), before it is checked: every field but {@code name},
 * {@code prover}, {@code gpus}, {@code model} and {@code intervalSeconds} may be left out, and
 * the challenge fields mean what 'validator attest' options of the same names mean ({@code
 * noMemory}: 'attest --no-memory').
 */
public record ProviderEntry(
    String name,
    String prover,
    Integer gpus,
    String model,
    Integer dim,
    Integer iterations,
    Double seconds,
    Integer samples,
    String proverKey,
    Long intervalSeconds,
    Long prepareTimeoutSeconds,
    Boolean allowCpu,
    Boolean weakTiming,
    Boolean noMemory) {}
