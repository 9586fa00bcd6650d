package org.gpuattest.kernels.cpu;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import org.gpuattest.common.util.Bytes;
import org.gpuattest.common.util.Hex;
import org.gpuattest.kernels.DeviceIdentity;

/**
 * Synthetic identities for virtual CPU devices: distinct per device, stable per host, and
 * plainly not GPUs (validators skip GPU-only checks for them).
 */
final class CpuIdentity {
  private static final String HOST_TAG = hostTag();

  private CpuIdentity() {}

  static DeviceIdentity of(int ordinal, int threads) {
    return new DeviceIdentity(
        "CPU backend (" + threads + " threads, " + System.getProperty("os.arch") + ")",
        "CPU-" + HOST_TAG + "-" + ordinal,
        "cpu:" + ordinal,
        "cpu",
        threads,
        Runtime.getRuntime().maxMemory(),
        "java " + System.getProperty("java.version"));
  }

  private static String hostTag() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "unknown-host";
    }
    byte[] h = Bytes.sha256(host.getBytes(StandardCharsets.UTF_8));
    return Hex.encode(h).substring(0, 12);
  }
}
