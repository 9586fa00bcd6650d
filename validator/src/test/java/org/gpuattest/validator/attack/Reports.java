package org.gpuattest.validator.attack;

import java.util.Arrays;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.message.Timing;

/** Copies of a device report with one field changed; for building lying reports. */
public final class Reports {
  private Reports() {}

  public static DeviceReport name(DeviceReport r, String name) {
    return new DeviceReport(r.index(), name, r.uuid(), r.pciBusId(), r.computeCapability(),
        r.smCount(), r.memoryBytes(), r.driverVersion(), r.backend(), r.root(), r.timing(),
        r.smMonitor(), r.kernel());
  }

  public static DeviceReport identity(DeviceReport r, String uuid, String pciBusId) {
    return new DeviceReport(r.index(), r.name(), uuid, pciBusId, r.computeCapability(),
        r.smCount(), r.memoryBytes(), r.driverVersion(), r.backend(), r.root(), r.timing(),
        r.smMonitor(), r.kernel());
  }

  public static DeviceReport memoryBytes(DeviceReport r, long memoryBytes) {
    return new DeviceReport(r.index(), r.name(), r.uuid(), r.pciBusId(), r.computeCapability(),
        r.smCount(), memoryBytes, r.driverVersion(), r.backend(), r.root(), r.timing(),
        r.smMonitor(), r.kernel());
  }

  /** Another SM count, with a monitor of that many SMs (so only the count itself is off). */
  public static DeviceReport smCount(DeviceReport r, int sms) {
    long[] blocks = new long[sms];
    Arrays.fill(blocks, r.smMonitor().blocksPerSm()[0]);
    return new DeviceReport(r.index(), r.name(), r.uuid(), r.pciBusId(), r.computeCapability(),
        sms, r.memoryBytes(), r.driverVersion(), r.backend(), r.root(), r.timing(),
        new SmMonitor(blocks, r.smMonitor().busyFraction()), r.kernel());
  }

  public static DeviceReport monitor(DeviceReport r, SmMonitor m) {
    return new DeviceReport(r.index(), r.name(), r.uuid(), r.pciBusId(), r.computeCapability(),
        r.smCount(), r.memoryBytes(), r.driverVersion(), r.backend(), r.root(), r.timing(), m,
        r.kernel());
  }

  public static DeviceReport timing(DeviceReport r, Timing t) {
    return new DeviceReport(r.index(), r.name(), r.uuid(), r.pciBusId(), r.computeCapability(),
        r.smCount(), r.memoryBytes(), r.driverVersion(), r.backend(), r.root(), t,
        r.smMonitor(), r.kernel());
  }

  /** The same barrier readings moved later by {@code nanos}. */
  public static DeviceReport shifted(DeviceReport r, long nanos) {
    Timing t = r.timing();
    return timing(r, new Timing(t.startNanos() + nanos, t.midNanos() + nanos,
        t.endNanos() + nanos, t.kernelNanos()));
  }
}
