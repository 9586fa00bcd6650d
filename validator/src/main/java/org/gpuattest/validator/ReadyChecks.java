package org.gpuattest.validator;

import java.util.List;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.Ready;
import org.gpuattest.common.util.Counts;

/**
 * The checks of the commitment (docs/protocol.md §8.3) that the prover's ready answer can
 * already fail (§3.2, §4.7): {@code devices.count}, {@code devices.backend} and {@code
 * devices.model}. A prover that fell back to the CPU, or found other GPUs than the claimed
 * ones, is refused in about a second, before 'go', rather than after the whole timing window;
 * the seed never leaves. The ready answer is not signed, so passing here proves nothing: the
 * commitment's own checks still decide. A ready answer without a backend (a prover from before
 * §4.7 had it) is checked for its device count only.
 */
final class ReadyChecks {
  private ReadyChecks() {}

  /**
   * @throws ProverFailure the first check the ready answer fails, named as in §8.3
   */
  static void check(Ready r, Challenge c, boolean allowCpu) throws ProverFailure {
    if (r.devices() != c.devices()) {
      throw ProverFailure.refusedAtReady("devices.count", String.valueOf(r.devices()),
          String.valueOf(c.devices()), "The prover's ready answer is for "
              + Counts.count(r.devices(), "device") + " but the challenge claims "
              + c.devices() + ".");
    }
    if (r.backend() == null) {
      return;
    }
    if (r.backend().equals(DeviceReport.CPU)) {
      if (!allowCpu) {
        throw ProverFailure.refusedAtReady("devices.backend", "cpu", "cuda",
            "The prover's ready answer says it opened the CPU backend, which proves no GPU"
                + " (no GPU found, or --backend cpu); pass --allow-cpu only for demos and"
                + " tests.");
      }
      return; // devices.model is GPU-only, as for the commitment
    }
    List<String> names = r.deviceNames();
    for (int g = 0; g < names.size(); g++) {
      if (!names.get(g).equals(c.model())) {
        throw ProverFailure.refusedAtReady("devices.model", names.get(g), c.model(),
            "The prover's ready answer says device " + g + " is not the claimed model.");
      }
    }
  }
}
