package org.gpuattest.kernels.emu;

/**
 * What a launch did: when it started and ended on the GPU's virtual clock (nanoseconds, the
 * timeline %globaltimer reads), and its instruction counts when asked for (else null).
 */
public record LaunchResult(long startNanos, long endNanos, LaunchCounts counts) {}
