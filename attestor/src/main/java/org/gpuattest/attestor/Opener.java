package org.gpuattest.attestor;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.cpu.CpuKernels;
import org.gpuattest.common.cpu.CpuWork;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Opening;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Openings;
import org.gpuattest.common.message.Sample;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.util.Hex;
import org.gpuattest.kernels.Backend;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.Device;
import org.gpuattest.kernels.cpu.CpuBackend;

/**
 * Answers an opening request from the prover state: for each sample (g, t, i), r(g, t) with its
 * audit path to R(g) from the stored matrix roots, and row i's audit path to r(g, t) from C(g, t)
 * recomputed on the same backend (each requested matrix once, however many of its rows are
 * asked for).
 */
public final class Opener {
  private final Backend backend;
  private final PrintWriter progress;
  private final Duration progressEvery;

  /** An opener that prints no progress. */
  public Opener(Backend backend) {
    this(backend, new PrintWriter(Writer.nullWriter()), ProgressReporter.EVERY);
  }

  /** An opener that prints how many matrices it has recomputed every {@code progressEvery}. */
  public Opener(Backend backend, PrintWriter progress, Duration progressEvery) {
    this.backend = backend;
    this.progress = progress;
    this.progressEvery = progressEvery;
  }

  public Openings open(OpeningRequest request, Path stateRoot)
      throws BadMessageException, BackendException, IOException {
    return open(request, ProverState.load(stateRoot, request.commitmentDigest()));
  }

  /** As {@link #open(OpeningRequest, Path)} with the state already loaded. */
  public Openings open(OpeningRequest request, ProverState state)
      throws BadMessageException, BackendException {
    if (!state.meta().commitmentDigest().equalsIgnoreCase(request.commitmentDigest())) {
      throw new BadMessageException("request: commitmentDigest " + request.commitmentDigest()
          + " is not the loaded state's " + state.meta().commitmentDigest());
    }
    if (!state.meta().challengeDigest().equalsIgnoreCase(request.challengeDigest())) {
      throw new BadMessageException("request: challengeDigest " + request.challengeDigest()
          + " does not match the committed challenge " + state.meta().challengeDigest());
    }
    if (!state.meta().backend().equals(backend.name())) {
      throw new BadMessageException("request: the commitment was made by the "
          + state.meta().backend() + " backend; open it with --backend "
          + state.meta().backend());
    }
    Challenge c = state.challenge();
    List<Sample> samples = request.samples();
    for (int i = 0; i < samples.size(); i++) {
      try {
        samples.get(i).checkWithin("samples[" + i + "]", c.devices(), c.iterations(), c.dim());
        samples.get(i).checkPassWithin("samples[" + i + "]", c.memory(), c.iterations());
      } catch (IllegalArgumentException e) {
        throw new BadMessageException("request: " + e.getMessage());
      }
      if (samples.get(i).pass() != null && state.memory() == null) {
        throw new BadMessageException("request: samples[" + i + "] asks for a memory pass, but"
            + " no memory phase ran in this process (it runs only in the attest conversation)");
      }
    }
    // Group by matrix so each C(g, t) is computed once; TreeMap keeps the work in order.
    Map<Long, List<Integer>> byMatrix = new TreeMap<>();
    for (int i = 0; i < samples.size(); i++) {
      Sample s = samples.get(i);
      byMatrix.computeIfAbsent((long) s.device() << 32 | s.iteration(), k -> new ArrayList<>())
          .add(i);
    }
    if (backend instanceof CpuBackend) {
      // The CPU kernel for this work, each requested C(g, t) whole, with its A(g, t) and B(g)
      // (CpuKernels); in the attest conversation the prove before chose already, and stands.
      long n = c.dim();
      long matrices = byMatrix.size();
      long devicesOpened = byMatrix.keySet().stream().map(k -> k >>> 32).distinct().count();
      try {
        CpuKernels.forWork(CpuWork.of(matrices * n, c.dim(), (devicesOpened + matrices) * n * n));
      } catch (IllegalStateException e) {
        throw new BackendException(e.getMessage());
      }
    }
    Opening[] answers = new Opening[samples.size()];
    // One device at a time: the keys are g-major, so each B(g) is made once and freed after.
    backend.checkFits(1, c.dim());
    List<Device> devices = backend.devices(c.devices());
    Device d = null;
    int preparedFor = -1;
    Map<Integer, List<String>> matrixPaths = Map.of();
    AtomicInteger recomputed = new AtomicInteger();
    try (ProgressReporter reporter = new ProgressReporter(progress, progressEvery,
        () -> "open: recomputed " + recomputed.get() + " of " + byMatrix.size() + " matrices")) {
      for (Map.Entry<Long, List<Integer>> e : byMatrix.entrySet()) {
        if (Thread.interrupted()) {
          throw new BackendException("interrupted while opening; stopped");
        }
        int g = (int) (e.getKey() >>> 32);
        int t = (int) (long) e.getKey();
        if (g != preparedFor) {
          if (d != null) {
            d.close();
          }
          List<String> uuids = state.meta().deviceUuids();
          d = Backends.deviceFor(backend, devices, state.meta().deviceOrdinals().get(g),
              uuids.size() > g ? uuids.get(g) : null);
          d.prepare(c.philoxKey(), g, c.dim());
          preparedFor = g;
          matrixPaths = matrixPaths(state.matrixRoots(g), byMatrix, g);
        }
        byte[][] rowLeaves = d.rowLeaves(t);
        recomputed.incrementAndGet();
        byte[] matrixRoot = MerkleTree.root(rowLeaves);
        byte[] stored = state.matrixRoot(g, t);
        if (!java.security.MessageDigest.isEqual(matrixRoot, stored)) {
          throw new BackendException("device " + g + " recomputed r(" + g + "," + t + ") = "
              + Hex.encode(matrixRoot) + " but committed " + Hex.encode(stored)
              + ": the backend is not deterministic; refusing to open");
        }
        List<String> matrixPath = matrixPaths.get(t);
        List<Integer> asked = e.getValue();
        int[] rows = asked.stream().mapToInt(i -> samples.get(i).row()).toArray();
        byte[][][] rowPaths = MerkleTree.auditPaths(rows, rowLeaves);
        MemoryOpenings memory = new MemoryOpenings(state, g, t, d);
        for (int k = 0; k < rows.length; k++) {
          Integer pass = samples.get(asked.get(k)).pass();
          answers[asked.get(k)] = new Opening(g, t, rows[k], Hex.encode(matrixRoot), matrixPath,
              hex(rowPaths[k]), pass == null ? null : memory.open(pass, rows[k]));
        }
      }
    } finally {
      if (d != null) {
        d.close();
      }
    }
    return new Openings(1, request.challengeDigest(), request.commitmentDigest(),
        List.of(answers));
  }

  /** r(g, t)'s paths to R(g) for every t asked of device g, from one build of its tree. */
  private static Map<Integer, List<String>> matrixPaths(byte[][] roots,
      Map<Long, List<Integer>> byMatrix, int g) {
    int[] ts = byMatrix.keySet().stream().filter(k -> (int) (k >>> 32) == g)
        .mapToInt(k -> (int) (long) k).toArray();
    byte[][][] paths = MerkleTree.auditPaths(ts, Reference.matrixRootLeaves(roots));
    Map<Integer, List<String>> out = new HashMap<>();
    for (int k = 0; k < ts.length; k++) {
      out.put(ts[k], hex(paths[k]));
    }
    return out;
  }

  static List<String> hex(byte[][] path) {
    List<String> out = new ArrayList<>(path.length);
    for (byte[] p : path) {
      out.add(Hex.encode(p));
    }
    return out;
  }
}
