package org.gpuattest.common.message;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.gpuattest.common.Limits;
import org.gpuattest.common.crypto.Transcript;
import org.gpuattest.common.util.Hex;

/**
 * One device in a commitment: its identity as the driver reports it, the backend that ran,
 * its device root R(g), its barrier timing, its SM monitor and, optionally, the product kernel
 * it ran and why (CUDA reports carry it: the SM checks derive their bounds from it).
 */
public record DeviceReport(
    @JsonProperty(required = true) int index,
    String name,
    String uuid,
    String pciBusId,
    String computeCapability,
    @JsonProperty(required = true) int smCount,
    @JsonProperty(required = true) long memoryBytes,
    String driverVersion,
    String backend,
    String root,
    Timing timing,
    SmMonitor smMonitor,
    KernelChoice kernel) {
  public static final String CUDA = "cuda";
  public static final String CPU = "cpu";
  /** The transcript tag before the optional kernel fields (docs/protocol.md §5). */
  static final String KERNEL_TAG = "kernel";

  public DeviceReport {
    Limits.range("index", index, 0, Limits.MAX_DEVICES - 1);
    Limits.text("name", name);
    Limits.text("uuid", uuid);
    Limits.text("pciBusId", pciBusId);
    Limits.text("computeCapability", computeCapability);
    Limits.range("smCount", smCount, 1, Limits.MAX_SMS);
    if (memoryBytes < 0) {
      throw new IllegalArgumentException("memoryBytes must not be negative, got " + memoryBytes);
    }
    Limits.text("driverVersion", driverVersion);
    Limits.text("backend", backend);
    if (!backend.equals(CUDA) && !backend.equals(CPU)) {
      throw new IllegalArgumentException("backend must be 'cuda' or 'cpu', got '" + backend + "'");
    }
    Hex.decode("root", root, 32);
    Limits.required("timing", timing);
    Limits.required("smMonitor", smMonitor);
  }

  /** A report without the kernel field: the CPU backend's, and older commitments'. */
  public DeviceReport(int index, String name, String uuid, String pciBusId,
      String computeCapability, int smCount, long memoryBytes, String driverVersion,
      String backend, String root, Timing timing, SmMonitor smMonitor) {
    this(index, name, uuid, pciBusId, computeCapability, smCount, memoryBytes, driverVersion,
        backend, root, timing, smMonitor, null);
  }

  @JsonIgnore
  public byte[] rootBytes() {
    return Hex.decode("root", root, 32);
  }

  void writeTo(Transcript t) {
    t.u32(index).str(name).str(uuid).str(pciBusId).str(computeCapability).u32(smCount)
        .u64(memoryBytes).str(driverVersion).str(backend).bytes(rootBytes())
        .u64(timing.startNanos()).u64(timing.midNanos()).u64(timing.endNanos())
        .u64(timing.kernelNanos());
    long[] blocks = smMonitor.blocksPerSm();
    t.u32(blocks.length);
    for (long b : blocks) {
      t.u64(b);
    }
    t.f64(smMonitor.busyFraction());
    if (kernel != null) {
      // Behind its own tag, and only when present: a commitment without it signs the bytes
      // it always did (docs/protocol.md §5).
      t.str(KERNEL_TAG).str(kernel.name()).str(kernel.reason());
    }
  }

  /** A copy with another root; for tests that build cheating commitments. */
  public DeviceReport withRoot(String newRoot) {
    return new DeviceReport(index, name, uuid, pciBusId, computeCapability, smCount,
        memoryBytes, driverVersion, backend, newRoot, timing, smMonitor, kernel);
  }

  /** A copy with another kernel field (null: none). */
  public DeviceReport withKernel(KernelChoice newKernel) {
    return new DeviceReport(index, name, uuid, pciBusId, computeCapability, smCount,
        memoryBytes, driverVersion, backend, root, timing, smMonitor, newKernel);
  }
}
