package org.gpuattest.attestor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The prover's CPU work on the clock, read from a clock that advances by set steps. */
class CpuTimesTest {
  @Test
  void beforeSigning_stepsAroundTheDevices_countsOnlyTheProversOwnWork() {
    AtomicLong now = new AtomicLong();
    CpuTimes t = new CpuTimes(1_000_000, now::get);
    now.set(3_000_000); // go + 2 ms: decoded and checked
    t.devicesStart();
    now.set(903_000_000); // the devices' 900 ms are not the prover's CPU work
    t.devicesEnd();
    now.set(933_000_000);
    t.checked(); // spot check 30 ms
    now.set(934_000_000);
    t.reported(); // roots 1 ms
    now.set(936_000_000);
    t.signed(); // signing 2 ms
    now.set(941_000_000);
    t.saved(); // state 5 ms

    assertEquals(2_000_000 + 31_000_000, t.beforeSigning());
    assertEquals("CPU work on the clock: 0.002 s before the devices, 0.031 s after them up to"
        + " signing (spot check 0.030 s), signing 0.002 s, state write 0.005 s; 0.040 s in all",
        t.toString());
  }
}
