package org.gpuattest.attestor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Preparation;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.util.Hex;
import org.gpuattest.kernels.cuda.CudaFakes;
import org.gpuattest.kernels.cuda.EmulatedGpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm-up before 'ready' ({@link WarmUp}) on a backend without throwaway devices, as a GPU
 * backend is: it leaves the prepared devices and the state folder as they were, changes no
 * result, and warms every piece but that backend's own device code (for the CPU backend, whose
 * device code it warms too, see ConversationWarmUpTest).
 */
class WarmUpTest {
  @TempDir Path state;

  @Test
  void warmUp_fakeBackend_touchesNoPreparedDeviceLeavesNoFileAndChangesNoResult()
      throws Exception {
    FakeBackend b = FakeBackend.honest(2);
    StringWriter progress = new StringWriter();
    MessageCodec.Decoded<Challenge> c = ProverTest.challenge(64, 3, 2, Instant.now());
    try (PreparedRun run = new Prover(b, ProverTest.KEY, new PrintWriter(progress),
        Clock.systemUTC()).prepare(Preparation.of(c.value()), List.of(), state, true)) {
      run.warmUp();
      assertEquals(0, b.prepared.get(), "the warm-up ran canonical-v1 on a prepared device");
      assertEquals(0, b.closed.get(), "the warm-up closed a prepared device");
      try (Stream<Path> left = Files.list(state)) {
        assertEquals(List.of(), left.toList());
      }
      assertTrue(progress.toString().contains("2 device runs on stand-ins (the cpu backend's"
          + " own code is not warmed here)"), progress.toString());

      Commitment commitment = run.run(c);
      for (int g = 0; g < 2; g++) {
        assertEquals(Hex.encode(Reference.deviceRoot(Reference.matrixRoots(
            c.value().philoxKey(), g, 64, 3))), commitment.devices().get(g).root());
      }
      assertNotNull(commitment.proverCpuNanos());
    }
  }

  /**
   * Which pieces a run counts that its warm-up did not: only the device code of a backend that
   * has no throwaway devices (here the fake one, in production CUDA's).
   */
  @Test
  void warmUp_fakeBackend_everyPieceButTheDeviceCodeRanBeforeTheRun() throws Exception {
    FakeBackend b = FakeBackend.honest(1);
    MessageCodec.Decoded<Challenge> c = ProverTest.challenge(128, 2, 1, Instant.now());
    try (PreparedRun run = new Prover(b, ProverTest.KEY, new PrintWriter(new StringWriter()),
        Clock.systemUTC()).prepare(Preparation.of(c.value()), List.of(), state, true)) {
      Map<String, Long> before = ClockedWork.counts();
      run.warmUp();
      Map<String, Long> ready = ClockedWork.counts();
      PreparedRun.encode(run.run(run.decode(MessageCodec.encode(c.value()))));
      Map<String, Long> after = ClockedWork.counts();
      Set<String> cold = cold(before, ready, after);
      assertEquals(Set.of("device code " + FakeBackend.FakeDevice.class.getName()), cold);
      assertTrue(after.get(ClockedWork.spotCheck(128)) > ready.get(ClockedWork.spotCheck(128)));
    }
  }

  /**
   * On the CUDA backend (two emulated H100s, which run the shipped PTX), which has no
   * throwaway devices, the prepared GPUs run a throwaway job at the real n before 'ready':
   * every piece the run counts after it, the CUDA device's own host code included, ran in the
   * warm-up; and the real run's roots are the reference's (its prepare starts over: B(g), the
   * monitor, the timers), and nothing is left on the GPUs.
   */
  @Test
  void warmUp_cudaBackend_warmsThePreparedGpusToo_andChangesNoResult() throws Exception {
    MessageCodec.Decoded<Challenge> c = ProverTest.challenge(64, 2, 2, Instant.now());
    StringWriter progress = new StringWriter();
    EmulatedGpus.Watched gpus = EmulatedGpus.watched(2);
    try (PreparedRun run = new Prover(gpus.backend(), ProverTest.KEY,
        new PrintWriter(progress), Clock.systemUTC()).prepare(Preparation.of(c.value()),
            List.of(), state, true)) {
      Map<String, Long> before = ClockedWork.counts();
      run.warmUp();
      Map<String, Long> ready = ClockedWork.counts();
      assertTrue(progress.toString().contains(" of the 2 prepared cuda devices at n=64, T=2"),
          progress.toString());
      Commitment commitment = run.run(run.decode(MessageCodec.encode(c.value())));
      Map<String, Long> after = ClockedWork.counts();
      Set<String> cold = cold(before, ready, after);
      assertEquals(Set.of(), cold);
      assertTrue(after.containsKey("device code org.gpuattest.kernels.cuda.CudaDevice"),
          after::toString);
      for (int g = 0; g < 2; g++) {
        assertEquals(Hex.encode(Reference.deviceRoot(Reference.matrixRoots(
            c.value().philoxKey(), g, 64, 2))), commitment.devices().get(g).root());
      }
    }
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, gpus.live().get());
  }

  /** Pieces counted between ready and after but not between before and ready: run cold. */
  private static Set<String> cold(Map<String, Long> before, Map<String, Long> ready,
      Map<String, Long> after) {
    Set<String> cold = new TreeSet<>();
    for (String piece : after.keySet()) {
      boolean ranAfter = after.get(piece) > ready.getOrDefault(piece, 0L);
      boolean warmed = ready.getOrDefault(piece, 0L) > before.getOrDefault(piece, 0L);
      if (ranAfter && !warmed) {
        cold.add(piece);
      }
    }
    return cold;
  }

  /** No time left before expiry: every piece still runs, once, and the line says so. */
  @Test
  void warmUp_noTimeLeft_runsEveryPieceOnceAndSaysItWasCutShort() throws Exception {
    MessageCodec.Decoded<Challenge> c = ProverTest.challenge(64, 3, 1, Instant.now());
    Clock atExpiry = Clock.fixed(c.value().expires(), java.time.ZoneOffset.UTC);
    StringWriter progress = new StringWriter();
    try (PreparedRun run = new Prover(FakeBackend.honest(1), ProverTest.KEY,
        new PrintWriter(progress), atExpiry).prepare(Preparation.of(c.value()), List.of(),
            state, true)) {
      Map<String, Long> before = ClockedWork.counts();
      run.warmUp();
      Map<String, Long> after = ClockedWork.counts();
      for (String piece : List.of(ClockedWork.DECODE, ClockedWork.CHECK, ClockedWork.DEVICE_RUN,
          ClockedWork.spotCheck(64), ClockedWork.REPORTS, ClockedWork.SIGN, ClockedWork.STATE,
          ClockedWork.ENCODE)) {
        assertEquals(1, after.get(piece) - before.getOrDefault(piece, 0L), piece);
      }
      assertTrue(progress.toString().contains(": the challenge checks, 1 device run on"
          + " stand-ins (the cpu backend's own code is not warmed here), 1 spot check at n=64,"
          + " 1 round of the roots, signing, encoding and a state write (cut short: out of"
          + " time)"), progress.toString());
    }
  }

  @Test
  void rounds_smallWork_repeatsUntilTheWarmFmas() {
    assertEquals(WarmUp.WARM_FMAS / (4 * 64 * 64), WarmUp.rounds(4L * 64 * 64));
    assertEquals(WarmUp.WARM_FMAS / (4 * 64 * 64) + 1, WarmUp.rounds(4L * 64 * 64 - 1));
  }

  @Test
  void rounds_largeWork_atLeastTwo() {
    assertEquals(WarmUp.MIN_ROUNDS, WarmUp.rounds(4L * 8192 * 8192));
    assertEquals(WarmUp.MIN_ROUNDS, WarmUp.rounds(WarmUp.WARM_FMAS));
  }
}
