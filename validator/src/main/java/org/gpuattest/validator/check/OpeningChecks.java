package org.gpuattest.validator.check;

import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.gpuattest.common.VerificationException;
import org.gpuattest.common.merkle.InclusionProof;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.Opening;
import org.gpuattest.common.message.Sample;
import org.gpuattest.common.spec.RowHash;
import org.gpuattest.common.spec.SampledRows;
import org.gpuattest.common.util.Counts;
import org.gpuattest.common.util.Hex;
import org.gpuattest.validator.Workers;

/**
 * canonical-v1, "Opening and checking": the openings answer exactly the samples asked for, and
 * for each one the validator computes row i of C(g, t) itself, hashes it, and checks the row's
 * path to r(g, t) and r(g, t)'s path to the committed R(g). Nothing the prover says about a
 * sample is trusted beyond what those hashes prove. Only requested samples are computed, so a
 * prover cannot make the validator do more work than it chose.
 *
 * <p>Devices are recomputed on up to {@code threads} threads, each holding its rows' heap from
 * a {@link HeapBudget} meanwhile, and their results are taken in device order: the verdict,
 * its first failure included, is the same on any number of threads.
 */
final class OpeningChecks {
  private OpeningChecks() {}

  /**
   * @param threads devices recomputed at once, at most (1: one after another, on this thread)
   * @param budget the heap the recomputations in flight share
   * @throws InterruptedIOException interrupted while recomputing: no verdict
   */
  static List<Check> all(Evidence e, int threads, HeapBudget budget)
      throws InterruptedIOException {
    List<Sample> asked = e.request().samples();
    List<Opening> given = e.openings().openings();
    List<Check> out = new ArrayList<>();
    int answered = 0;
    for (int i = 0; i < Math.min(asked.size(), given.size()); i++) {
      if (given.get(i).sample().equals(asked.get(i))) {
        answered++;
      }
    }
    var figures = Figures.of("requested", asked.size(), "given", given.size(), "matching",
        answered);
    if (answered == asked.size() && given.size() == asked.size()) {
      out.add(Check.pass("openings.complete", Counts.count(given.size(), "opening"),
          asked.size() + " requested", "Every requested sample was answered, in order.")
          .withFigures(figures));
    } else {
      out.add(Check.fail("openings.complete",
          answered + "/" + Counts.count(given.size(), "opening") + " matching",
          asked.size() + " requested", "The openings do not answer the samples asked for.")
          .withFigures(figures));
    }
    out.addAll(exact(e, asked, given, threads, budget));
    return out;
  }

  /** openings.exact, and memory.exact where the challenge has a memory phase. */
  private static List<Check> exact(Evidence e, List<Sample> asked, List<Opening> given,
      int threads, HeapBudget budget) throws InterruptedIOException {
    Challenge c = e.challenge();
    List<DeviceReport> devices = e.commitment().devices();
    Map<Integer, List<Opening>> byDevice = new TreeMap<>();
    int considered = 0;
    String firstFailure = null;
    int failures = 0;
    for (int i = 0; i < Math.min(asked.size(), given.size()); i++) {
      Opening o = given.get(i);
      if (!o.sample().equals(asked.get(i))) {
        continue; // counted by openings.complete; never compute what was not asked for
      }
      considered++;
      if (o.device() >= devices.size()) {
        failures++;
        firstFailure = firstFailure != null ? firstFailure
            : "device " + o.device() + " has no committed root";
        continue;
      }
      byDevice.computeIfAbsent(o.device(), g -> new ArrayList<>()).add(o);
    }
    String memoryBinding = c.memory() == null ? null : MemoryChecks.binding(e);
    // The opened elements are checked against the memory roots only once these are bound.
    Evidence.Memory memory = memoryBinding == null ? e.memory() : null;
    List<DeviceOpenings> work = new ArrayList<>();
    byDevice.forEach((g, list) -> work.add(new DeviceOpenings(g, list)));
    List<DeviceResult> results;
    try {
      // In device order whatever order they finish in: the first failure is the sequential one.
      results = Workers.inOrder(work, threads, d -> d.check(c, devices.get(d.g()), budget,
          memory));
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while recomputing the sampled rows; no"
          + " verdict");
    }
    int memoryAsked = (int) asked.stream().filter(x -> x.pass() != null).count();
    int memoryExact = 0;
    String memoryFirst = null;
    for (DeviceResult r : results) {
      failures += r.failures();
      if (firstFailure == null) {
        firstFailure = r.firstFailure();
      }
      memoryExact += r.memoryExact();
      if (memoryFirst == null) {
        memoryFirst = r.memoryFirstFailure();
      }
    }
    List<Check> out = new ArrayList<>();
    int exact = considered - failures;
    String measured = exact + "/" + asked.size() + " exact";
    var figures = Figures.of("exact", exact, "requested", asked.size());
    if (failures > 0 || considered == 0) {
      out.add(Check.fail("openings.exact", measured, asked.size() + "/" + asked.size()
          + " exact", "Recomputed rows do not match the commitment (first: "
              + (firstFailure == null ? "nothing was answered" : firstFailure)
              + "): the committed work is not the canonical FP64 product.")
          .withFigures(figures));
    } else {
      out.add(Check.pass("openings.exact", measured, asked.size() + "/" + asked.size()
          + " exact", "Every sampled row, recomputed on this CPU, matches the commitment bit"
          + " for bit.").withFigures(figures));
    }
    if (c.memory() != null) {
      // An element asked for and not answered (an opening that does not match its sample)
      // fails too: it is not among the exact ones.
      out.add(MemoryChecks.exact(memoryBinding, memoryAsked, memoryAsked - memoryExact,
          memoryFirst != null ? memoryFirst : "an element asked for was not answered"));
    }
    return out;
  }

  /**
   * What checking one device's openings found: how many rows failed, and the first (or null);
   * how many memory elements were exact, and the first that was not.
   */
  private record DeviceResult(int failures, String firstFailure, int memoryExact,
      String memoryFirstFailure) {}

  /** The openings of device g that answer samples asked for, in the request's order. */
  private record DeviceOpenings(int g, List<Opening> openings) {
    /**
     * Recomputes the rows (holding their heap from {@code budget} meanwhile) and checks each
     * row's path to r(g, t) and r(g, t)'s path to R(g).
     */
    DeviceResult check(Challenge c, DeviceReport device, HeapBudget budget,
        Evidence.Memory memory) throws InterruptedException {
      int n = c.dim();
      int[] ts = new int[openings.size()];
      int[] rows = new int[openings.size()];
      for (int k = 0; k < ts.length; k++) {
        ts[k] = openings.get(k).iteration();
        rows[k] = openings.get(k).row();
      }
      int failures = 0;
      String firstFailure = null;
      int memoryExact = 0;
      String memoryFirst = null;
      try (HeapBudget.Lease lease = budget.lease(SampledRows.bytesFor(ts.length, n))) {
        double[] computed = SampledRows.compute(c.philoxKey(), g, n, ts, rows);
        byte[] deviceRoot = device.rootBytes();
        MemoryElements elements = memory == null ? null
            : new MemoryElements(c, g, deviceRoot, memory);
        for (int k = 0; k < ts.length; k++) {
          Opening o = openings.get(k);
          String what = "device " + g + ", iteration " + o.iteration() + ", row " + o.row();
          if (o.memory() != null && elements != null) {
            try {
              elements.verify(what, o, computed, k * n);
              memoryExact++;
            } catch (VerificationException ex) {
              memoryFirst = memoryFirst != null ? memoryFirst : ex.getMessage();
            }
          }
          try {
            byte[] matrixRoot = Hex.decode("matrixRoot", o.matrixRoot(), 32);
            InclusionProof.verify(what + " (row in r(g,t))", o.row(), n,
                RowHash.leaf(computed, k * n, n), Opening.decodePath(o.rowPath()), matrixRoot);
            InclusionProof.verify(what + " (r(g,t) in R(g))", o.iteration(), c.iterations(),
                MerkleTree.leafHash(matrixRoot), Opening.decodePath(o.matrixPath()),
                deviceRoot);
          } catch (VerificationException ex) {
            failures++;
            if (firstFailure == null) {
              firstFailure = ex.getMessage();
            }
          }
        }
      }
      return new DeviceResult(failures, firstFailure, memoryExact, memoryFirst);
    }
  }
}
