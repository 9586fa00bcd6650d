package org.gpuattest.validator.check;

import static org.gpuattest.validator.check.TimingFixture.DEFAULTS;
import static org.gpuattest.validator.check.TimingFixture.PROFILE;
import static org.gpuattest.validator.check.TimingFixture.expected;
import static org.gpuattest.validator.check.TimingFixture.issue;
import static org.gpuattest.validator.check.TimingFixture.readyGo;
import static org.gpuattest.validator.check.TimingFixture.window;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.Limits;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.validator.ChallengeIssuer;
import org.gpuattest.validator.TimingStrength;
import org.gpuattest.validator.TimingWindow;
import org.junit.jupiter.api.Test;

/**
 * Cheats against the ready/go window (docs/soundness.md sections 6 and 7), at the smallest
 * challenge the issuer accepts without weak timing at every dim, and at the default size: the
 * window rejects slower hardware posing as the claim, and passes honest runs with jitter.
 */
class TimingCheatsTest {
  /** A generous CPU: a two-socket server's whole FP64 peak, far above the exact CPU backend. */
  static final double CPU_TFLOPS = 4.0;
  /** The issuer's default challenge: n = 2048, about 10 s. */
  static final int DEFAULT_DIM = ChallengeIssuer.DEFAULT_DIM;

  /** The smallest accepted ready/go challenge at every dim where one exists, G devices. */
  static List<MessageCodec.Decoded<Challenge>> smallestAccepted(int devices) throws Exception {
    List<MessageCodec.Decoded<Challenge>> out = new ArrayList<>();
    for (int n = Limits.MIN_DIM; n <= Limits.MAX_DIM; n += 64) {
      double seconds = TimingStrength.minSeconds(PROFILE, DEFAULTS, n);
      if (Double.isNaN(seconds)) {
        continue;
      }
      int iterations = TimingWindow.iterationsFor(PROFILE, n, seconds);
      if (iterations > Limits.MAX_ITERATIONS
          || (long) iterations * devices > Limits.MAX_MATRICES) {
        continue; // refused by the protocol's limits, whatever its timing
      }
      out.add(issue(devices, n, iterations));
      if (iterations > 1) {
        int fewer = iterations - 1;
        int dim = n;
        assertThrows(ChallengeIssuer.InvalidRequestException.class,
            () -> issue(devices, dim, fewer), "n = " + n + ": " + fewer + " iterations");
      }
    }
    if (devices == 1) {
      assertEquals(TimingStrength.minDim(PROFILE, DEFAULTS), out.get(0).value().dim());
    }
    assertTrue(out.size() > 200, "accepted dims: " + out.size());
    return out;
  }

  static MessageCodec.Decoded<Challenge> defaultSize(int devices) throws Exception {
    return issue(devices, DEFAULT_DIM, TimingWindow.iterationsFor(PROFILE, DEFAULT_DIM,
        ChallengeIssuer.DEFAULT_SECONDS));
  }

  /** A rejection by timing.window that states the proven figure of this run. */
  static void assertRejected(Check w, double shown, String what) {
    assertTrue(w.failed(), what + ": " + w.message());
    assertTrue(w.message().startsWith("Slower than " + PROFILE.model()), w.message());
    assertTrue(w.message().contains("Passing proves at least "), w.message());
    assertEquals(shown, w.figures().get("provenDevices"), 1e-9 * shown, what);
    assertTrue(w.message().contains("(this run: " + org.gpuattest.validator.ProvenRate.number(
        shown)), what + ": " + w.message());
  }

  @Test
  void window_cpuRelabelledCuda_rejectedAtEverySizeAccepted() throws Exception {
    for (MessageCodec.Decoded<Challenge> c : smallestAccepted(1)) {
      double work = TimingWindow.flopsPerDevice(c.value().dim(), c.value().iterations())
          / (CPU_TFLOPS * 1e12);
      Check w = window(readyGo(c, work));
      double elapsed = w.figures().get("elapsedSeconds");
      assertRejected(w, expected(c.value()) / elapsed, "CPU at n = " + c.value().dim());
    }
  }

  @Test
  void window_oneDevicePosingAsSeveral_rejected() throws Exception {
    for (int g : new int[] {2, 4, 8}) {
      List<MessageCodec.Decoded<Challenge>> sizes = new ArrayList<>(smallestAccepted(g));
      sizes.add(defaultSize(g));
      for (MessageCodec.Decoded<Challenge> c : sizes) {
        // One device does every claimed device's work, one after another.
        Check w = window(readyGo(c, g * expected(c.value())));
        assertRejected(w, g * expected(c.value()) / w.figures().get("elapsedSeconds"),
            "1 device as " + g + " at n = " + c.value().dim());
        assertTrue(w.figures().get("provenDevices") < 1.01, w.message());
      }
    }
  }

  @Test
  void window_oneDeviceShort_rejectedForTwoToEight() throws Exception {
    for (int g = 2; g <= 8; g++) {
      List<MessageCodec.Decoded<Challenge>> sizes = new ArrayList<>(smallestAccepted(g));
      sizes.add(defaultSize(g));
      for (MessageCodec.Decoded<Challenge> c : sizes) {
        double work = (double) g / (g - 1) * expected(c.value());
        Check w = window(readyGo(c, work));
        assertRejected(w, g * expected(c.value()) / w.figures().get("elapsedSeconds"),
            (g - 1) + " devices as " + g + " at n = " + c.value().dim());
        assertTrue(w.figures().get("provenDevices") < g - 0.9, w.message());
      }
    }
  }

  @Test
  void window_deviceAtEightyPercentOfTheRate_rejected() throws Exception {
    List<MessageCodec.Decoded<Challenge>> sizes = new ArrayList<>(smallestAccepted(1));
    sizes.add(defaultSize(1));
    for (MessageCodec.Decoded<Challenge> c : sizes) {
      Check w = window(readyGo(c, expected(c.value()) / 0.8));
      assertRejected(w, expected(c.value()) / w.figures().get("elapsedSeconds"),
          "80% at n = " + c.value().dim());
    }
  }

  @Test
  void window_honestWithJitter_passes() throws Exception {
    for (int g : new int[] {1, 2, 8}) {
      List<MessageCodec.Decoded<Challenge>> sizes = new ArrayList<>(smallestAccepted(g));
      sizes.add(defaultSize(g));
      for (MessageCodec.Decoded<Challenge> c : sizes) {
        for (double jitter : new double[] {0.95, 1.0, 1.05}) {
          List<Check> checks = readyGo(c, jitter * expected(c.value()));
          for (Check k : checks) {
            assertFalse(k.failed(), "G = " + g + ", n = " + c.value().dim() + ", x" + jitter
                + ": " + k.name() + ": " + k.message());
          }
          Check w = window(checks);
          assertTrue(w.message().contains("Passing proves at least "), w.message());
          assertEquals(1.0, w.figures().get("startupOutside"));
          assertEquals(g, w.figures().get("claimedDevices"));
        }
      }
    }
  }

  @Test
  void window_honestEightAtDefaultSize_provesAtLeastSevenPointTwo() throws Exception {
    MessageCodec.Decoded<Challenge> c = defaultSize(8);
    Check w = window(readyGo(c, expected(c.value())));
    assertFalse(w.failed(), w.message());
    assertTrue(w.figures().get("provenDevices") >= 7.2, w.figures().toString());
    assertTrue(w.figures().get("provenAtBound") >= 7.2, w.figures().toString());
    assertTrue(w.message().contains("Passing proves at least 7.2 of 8 " + PROFILE.model()
        + " GPUs' canonical rate (this run: 7.9"), w.message());
    // Seven GPUs claiming eight at the same size fail.
    Check seven = window(readyGo(c, 8.0 / 7 * expected(c.value())));
    assertTrue(seven.failed(), seven.message());
  }

  /**
   * A prover farther from the validator than the round-trip cap (0.25 s) spends the rest of
   * its round trip out of the tolerance: honest GPUs 2 s away fail the default challenge by
   * design, and the verdict says that the round trip, not only the hardware, may be why.
   */
  @Test
  void window_honestProverBeyondTheRoundTripCap_failureNamesTheRoundTrip() throws Exception {
    MessageCodec.Decoded<Challenge> c = defaultSize(2);
    Check far = window(TimingFixture.readyGo(c, expected(c.value()), null, 2.0));
    assertTrue(far.failed(), far.message());
    assertTrue(far.message().contains("The round trip measured before go, 2.000 s, is over the"
        + " 0.250 s the window allows for it (maxRoundTripSeconds): the other 1.750 s were"
        + " taken from the tolerance"), far.message());
    // Within the cap a slow run is the hardware's alone, and the message says nothing of it.
    Check slow = window(TimingFixture.readyGo(c, 1.3 * expected(c.value()), null, 0.2));
    assertTrue(slow.failed(), slow.message());
    assertFalse(slow.message().contains("round trip"), slow.message());
  }

  @Test
  void window_timedFromIssue_saysStartupIsInside() throws Exception {
    MessageCodec.Decoded<Challenge> c = defaultSize(8);
    Check w = window(TimingFixture.fromIssue(c, expected(c.value()), 5.0));
    assertFalse(w.failed(), w.message());
    assertTrue(w.message().contains("This window includes the prover's start-up: it proves"
        + " only at least "), w.message());
    assertEquals(0.0, w.figures().get("startupOutside"));
    assertTrue(w.figures().get("provenAtBound") < 8 * 0.5, w.figures().toString());
    assertFalse(w.figures().containsKey("roundTripSeconds"));
  }
}
