package org.gpuattest.attestor;

import java.io.PrintWriter;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.gpuattest.common.Limits;
import org.gpuattest.common.message.SmMonitor;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.util.Heap;
import org.gpuattest.common.util.Hex;
import org.gpuattest.kernels.Backend;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;
import org.gpuattest.kernels.DeviceIdentity;
import org.gpuattest.kernels.cpu.CpuBackend;

/**
 * Checks every device of a backend against the CPU, bit for bit, before it is trusted with a
 * challenge: canonical-v1 allows only what keeps each element's ascending-k FMA chain intact,
 * and a GPU shortcut that does not (or a tensor-core step measured equal only on H100) changes
 * the bits (docs/protocol.md §1.5, which names this command). For each size n, each device runs
 * T iterations as device g = its ordinal with a fresh random seed, and every r(g, t) must equal
 * the CPU's. Also shows how much of each device the kernels used (the SM monitor of §4.2).
 */
public final class Selftest {
  /** The r(g, 0..T-1) a correct device must produce. */
  public interface Expected {
    /** Says what the roots come from, for the report: "the CPU reference". */
    String name();

    byte[][] matrixRoots(PhiloxKey key, int g, int n, int iterations) throws BackendException;
  }

  /**
   * The one-thread model of canonical-v1 ({@link Reference}): slow, but independent of the
   * CPU backend's blocking and threading, so it checks the CPU backend too.
   */
  public static Expected reference() {
    return new Expected() {
      @Override
      public String name() {
        return "the CPU reference";
      }

      @Override
      public byte[][] matrixRoots(PhiloxKey key, int g, int n, int iterations) {
        return Reference.matrixRoots(key, g, n, iterations);
      }
    };
  }

  /** The exact CPU backend on {@code threads} threads: the fast form of the same bits. */
  public static Expected cpuBackend(int threads) {
    CpuBackend cpu = new CpuBackend(threads);
    return new Expected() {
      @Override
      public String name() {
        return "the CPU backend";
      }

      @Override
      public byte[][] matrixRoots(PhiloxKey key, int g, int n, int iterations)
          throws BackendException {
        try (Device d = cpu.devices(1).get(0)) {
          d.prepare(key, g, n);
          byte[][] roots = new byte[iterations][];
          for (int t = 0; t < iterations; t++) {
            roots[t] = d.iterate(t).matrixRoot();
          }
          return roots;
        }
      }
    };
  }

  /** There is no device to test: no driver, no GPU, or none the backend can use. */
  public static final class NoDeviceException extends BackendException {
    NoDeviceException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The first r(g, t) that differs, both values in hex. */
  public record Difference(int iteration, String matrix, String deviceRoot,
      String expectedRoot) {}

  /** A device as its driver names it. */
  public record DeviceInfo(int index, String name, String uuid, int smCount) {}

  /**
   * One device at one size. {@code smsUsed}: SMs (for the CPU backend, worker threads) that ran
   * at least one block, of {@code smCount}. {@code firstDifference} is null when it passed.
   */
  public record CaseResult(int device, int dim, int iterations, String seed, boolean pass,
      int smsUsed, int smCount, double busyFraction, long kernelNanos,
      Difference firstDifference) {}

  /** Everything a self test found; {@code pass} only if every case matched. */
  public record Report(String backend, String expected, int iterations, boolean pass,
      List<DeviceInfo> devices, List<CaseResult> cases) {}

  private final Backend backend;
  private final Expected expected;
  private final SecureRandom random;

  public Selftest(Backend backend, Expected expected, SecureRandom random) {
    this.backend = backend;
    this.expected = expected;
    this.random = random;
  }

  /**
   * The devices to test: all a physical backend finds; one for the CPU backend, which acts as
   * however many it is asked for (see {@link Backend#devices}).
   */
  int wanted() {
    return backend.name().equals(CpuBackend.NAME) ? 1 : Limits.MAX_DEVICES;
  }

  /**
   * @param dims the sizes n, each already within {@link Limits#dim}
   * @param progress one line per finished case
   * @throws BackendException no usable device, a size that does not fit, or a device failed
   */
  public Report run(List<Integer> dims, int iterations, PrintWriter progress)
      throws BackendException {
    for (int n : dims) { // refuse what cannot fit before any work
      backend.checkFits(1, n);
      Optional<String> refusal = Heap.shortfall("selftest: the CPU side at n=" + n + " needs",
          CpuBackend.bytesNeeded(1, n), "run java with a larger -Xmx, or a smaller --dim");
      if (refusal.isPresent()) {
        throw new BackendException(refusal.get());
      }
    }
    List<DeviceInfo> infos = new ArrayList<>();
    List<Device> listed;
    try {
      listed = backend.devices(wanted());
    } catch (BackendException e) {
      throw new NoDeviceException(e.getMessage(), e);
    }
    try {
      if (listed.isEmpty()) {
        throw new NoDeviceException(backend.name() + " backend: no usable device found", null);
      }
      for (int d = 0; d < listed.size(); d++) {
        DeviceIdentity id = listed.get(d).identity();
        infos.add(new DeviceInfo(d, id.name(), id.uuid(), id.smCount()));
      }
    } finally {
      listed.forEach(Device::close);
    }
    List<CaseResult> cases = new ArrayList<>();
    for (int n : dims) {
      for (int d = 0; d < infos.size(); d++) {
        CaseResult r = runCase(d, n, iterations);
        cases.add(r);
        progress.printf("attestor: selftest device %d, n=%d: %s%n", d, n,
            r.pass() ? "equal" : r.firstDifference().matrix() + " differs");
        progress.flush();
      }
    }
    boolean pass = cases.stream().allMatch(CaseResult::pass);
    return new Report(backend.name(), expected.name(), iterations, pass, infos, cases);
  }

  /**
   * Device d at size n with a fresh seed. Each case takes a fresh device list, so the SM
   * monitor counts this case's blocks only.
   */
  private CaseResult runCase(int d, int n, int iterations) throws BackendException {
    byte[] seed = new byte[PhiloxKey.SEED_BYTES];
    random.nextBytes(seed);
    PhiloxKey key = PhiloxKey.fromSeed(seed);
    byte[][] roots = new byte[iterations][];
    long kernelNanos = 0;
    SmMonitor monitor;
    DeviceIdentity id;
    List<Device> devices = backend.devices(wanted());
    try {
      if (d >= devices.size()) {
        throw new BackendException(backend.name() + " backend: device " + d
            + " is gone (now " + devices.size() + " listed)");
      }
      Device device = devices.get(d);
      id = device.identity();
      try {
        device.prepare(key, d, n);
        for (int t = 0; t < iterations; t++) {
          var result = device.iterate(t);
          roots[t] = result.matrixRoot();
          kernelNanos += result.kernelNanos();
        }
        monitor = device.monitor();
      } catch (BackendException e) {
        throw new BackendException("device " + d + " (" + id.uuid() + "), n=" + n + ": "
            + e.getMessage(), e);
      }
    } finally {
      devices.forEach(Device::close);
    }
    byte[][] want = expected.matrixRoots(key, d, n, iterations);
    Difference first = null;
    for (int t = 0; t < iterations && first == null; t++) {
      if (!MessageDigest.isEqual(roots[t], want[t])) {
        first = new Difference(t, "r(" + d + "," + t + ")", Hex.encode(roots[t]),
            Hex.encode(want[t]));
      }
    }
    return new CaseResult(d, n, iterations, Hex.encode(seed), first == null,
        monitor.coveredSms(), id.smCount(), monitor.busyFraction(), kernelNanos,
        first);
  }
}
