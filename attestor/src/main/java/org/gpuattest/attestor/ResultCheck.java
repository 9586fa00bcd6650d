package org.gpuattest.attestor;

import java.io.PrintWriter;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.RowHash;
import org.gpuattest.common.spec.SampledRows;
import org.gpuattest.common.util.Counts;
import org.gpuattest.common.util.Hex;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;
import org.gpuattest.kernels.DeviceIdentity;

/**
 * The prover's own spot check before it signs (docs/protocol.md §3, "Before the prover
 * signs"): a commitment is a promise that every row is canonical-v1 bit for bit, and a
 * validator that samples a wrong row fails the whole attestation. So, while the devices are
 * still prepared, a few rows of a few iterations of every device are recomputed: the device's
 * row leaves of C(g, t) must hash to the r(g, t) it returned from {@code iterate}, and the
 * chosen rows must equal the CPU reference ({@link SampledRows}, the validator's own
 * computation of §2.1). One difference and nothing is committed.
 *
 * <p>This catches a device that is wrong everywhere or often (a bad kernel, a bad tensor-core
 * assumption, §1.5); it cannot promise that no single row is wrong, which is what the
 * validator's sampling is for.
 */
final class ResultCheck {
  /** Iterations checked per device, the last one always among them. */
  static final int ITERATIONS_PER_DEVICE = 2;
  /** Rows checked per chosen iteration. */
  static final int ROWS_PER_ITERATION = 2;

  /** The rows of one iteration to check. */
  record Pick(int iteration, int[] rows) {}

  /** Chooses what to check of one device; random in production, fixed in tests. */
  interface Chooser {
    List<Pick> choose(int iterations, int n);
  }

  private final Chooser chooser;

  ResultCheck(Chooser chooser) {
    this.chooser = chooser;
  }

  /** What to check of one device: the chooser's picks (secret and fresh in production). */
  List<Pick> plan(int iterations, int n) {
    return chooser.choose(iterations, n);
  }

  /**
   * Fresh secret choices from {@code random}: the last iteration (written just before the
   * commitment, so the one a late fault would hit) and another one, two distinct rows each.
   */
  static ResultCheck random(SecureRandom random) {
    return new ResultCheck(randomChooser(random));
  }

  static Chooser randomChooser(SecureRandom random) {
    return (iterations, n) -> {
      List<Pick> picks = new ArrayList<>();
      picks.add(new Pick(iterations - 1, distinctRows(random, n)));
      if (iterations > 1) {
        picks.add(new Pick(random.nextInt(iterations - 1), distinctRows(random, n)));
      }
      return picks;
    };
  }

  private static int[] distinctRows(SecureRandom random, int n) {
    int first = random.nextInt(n);
    int second = (first + 1 + random.nextInt(n - 1)) % n; // n >= 64, never equal to first
    return ROWS_PER_ITERATION == 1 ? new int[] {first} : new int[] {first, second};
  }

  /**
   * The CPU side of the check: the chosen rows of every device, computed by the validator's
   * method ({@link SampledRows}: one pass over B(g) per device, n² Philox elements, the cost
   * that grows with n) on a thread per device from the moment {@link #startReference} is
   * called. They need only the challenge's key, so {@link PreparedRun} starts them with the
   * devices' run and only the comparison is left after it, on the validator's clock.
   */
  static final class Reference {
    private final List<List<Pick>> plans;
    private final List<CompletableFuture<double[]>> rows;

    private Reference(List<List<Pick>> plans, List<CompletableFuture<double[]>> rows) {
      this.plans = plans;
      this.rows = rows;
    }

    /** Device g's chosen rows, in plan order; waits for them. */
    private double[] rows(int g) throws InterruptedException, ExecutionException {
      return rows.get(g).get();
    }
  }

  /** Chooses every device's picks now and starts computing their CPU rows (above). */
  Reference startReference(Challenge c, int devices) {
    List<List<Pick>> plans = new ArrayList<>();
    List<CompletableFuture<double[]>> rows = new ArrayList<>();
    for (int d = 0; d < devices; d++) {
      List<Pick> plan = plan(c.iterations(), c.dim());
      CompletableFuture<double[]> cpu = new CompletableFuture<>();
      int g = d;
      Thread t = new Thread(() -> {
        try {
          cpu.complete(cpuRows(c.philoxKey(), g, c.dim(), plan));
        } catch (Throwable e) {
          cpu.completeExceptionally(e);
        }
      }, "check-reference-" + d);
      t.setDaemon(true);
      t.start();
      plans.add(plan);
      rows.add(cpu);
    }
    return new Reference(plans, rows);
  }

  /**
   * Checks every device, one thread each (the devices are independent), then prints what was
   * checked; the CPU rows are computed here too.
   *
   * @see #check(List, Challenge, byte[][][], PrintWriter, Reference)
   */
  void check(List<Device> devices, Challenge c, byte[][][] matrixRoots, PrintWriter progress)
      throws BackendException {
    check(devices, c, matrixRoots, progress, startReference(c, devices.size()));
  }

  /**
   * Checks every device against the CPU rows {@code reference} holds (or is computing), one
   * thread each, then prints what was checked.
   *
   * @param devices the prepared devices, device g at index g
   * @param matrixRoots r(g, t) as {@code iterate} returned them
   * @param reference started for this challenge and these devices
   * @throws BackendException naming the first device (in order of g) whose results differ, or
   *     that failed, or that the caller's thread was interrupted
   */
  void check(List<Device> devices, Challenge c, byte[][][] matrixRoots, PrintWriter progress,
      Reference reference) throws BackendException {
    List<List<Pick>> plans = reference.plans;
    DeviceThreads.named("check-device", "interrupted while checking the results; not committing",
            (d, e) -> {
              // the CPU rows' own failure, which their future wraps
              Throwable cause = e instanceof ExecutionException ee ? ee.getCause() : e;
              return new BackendException(describe(d, devices.get(d))
                  + ": checking the results failed: " + cause + "; not committing", cause);
            })
        .runAll(devices.size(), d -> {
          checkOne(devices.get(d), d, c.dim(), matrixRoots[d], plans.get(d), reference.rows(d));
          return null;
        });
    progress.println("attestor: " + summary(plans.get(0)));
    progress.flush();
  }

  /** "checked 4 rows of 2 iterations per device against the CPU reference: all equal" */
  static String summary(List<Pick> plan) {
    int rows = plan.stream().mapToInt(p -> p.rows().length).sum();
    return "checked " + Counts.count(rows, "row") + " of "
        + Counts.count(plan.size(), "iteration") + " per device against the CPU reference:"
        + " all equal";
  }

  /** The rows {@code plan} picks of device g, in its order, by {@link SampledRows}. */
  private static double[] cpuRows(PhiloxKey key, int g, int n, List<Pick> plan) {
    ClockedWork.ran(ClockedWork.spotCheck(n));
    List<Integer> ts = new ArrayList<>();
    List<Integer> is = new ArrayList<>();
    for (Pick p : plan) {
      for (int i : p.rows()) {
        ts.add(p.iteration());
        is.add(i);
      }
    }
    return SampledRows.compute(key, g, n, ts.stream().mapToInt(x -> x).toArray(),
        is.stream().mapToInt(x -> x).toArray());
  }

  private static void checkOne(Device device, int g, int n, byte[][] committed,
      List<Pick> plan, double[] cpu) throws BackendException {
    ClockedWork.ran(ClockedWork.deviceCode(device));
    int k = 0;
    for (Pick p : plan) {
      if (Thread.interrupted()) {
        throw new BackendException(describe(g, device) + ": interrupted; not committing");
      }
      int t = p.iteration();
      byte[][] leaves = device.rowLeaves(t);
      byte[] root = MerkleTree.root(leaves);
      if (!MessageDigest.isEqual(root, committed[t])) {
        throw new BackendException(describe(g, device) + ": C(" + g + "," + t + ") recomputed"
            + " on the device has root " + Hex.encode(root) + ", not the r(" + g + "," + t
            + ") = " + Hex.encode(committed[t]) + " it computed before; not committing");
      }
      for (int i : p.rows()) {
        if (!MessageDigest.isEqual(leaves[i], RowHash.leaf(cpu, k * n, n))) {
          throw new BackendException(describe(g, device) + ": row " + i + " of C(" + g + ","
              + t + ") differs from the CPU reference; not committing");
        }
        k++;
      }
    }
  }

  /** "device 1 (GPU-3b8f..., NVIDIA H100 80GB HBM3)": index g, and who the driver says it is. */
  static String describe(int g, Device device) {
    DeviceIdentity id = device.identity();
    return "device " + g + " (" + id.uuid() + ", " + id.name() + ")";
  }
}
