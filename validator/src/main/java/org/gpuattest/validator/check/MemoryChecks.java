package org.gpuattest.validator.check;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.VerificationException;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.ChallengeMemory;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.DeviceMemoryRoots;
import org.gpuattest.common.message.MemoryRoots;
import org.gpuattest.common.spec.CommitmentDigest;
import org.gpuattest.common.util.Hex;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.MemoryWindow;

/**
 * The memory phase's checks (docs/protocol.md section 8.3, checks 20 and 21), present only in
 * the verdict on a challenge that asked for the phase: {@code memory.window}, the validator's
 * own clock from the memory seed's sending to the memory roots' arrival against the profile's
 * window, stating what passing proves ({@link MemoryWindow}); and {@code memory.exact}, that the
 * memory roots are bound to this commitment and the seed sent and signed by the commitment's
 * key ({@link #binding}), and that every opened element is the one the validator computes from
 * the row it recomputed ({@link OpeningChecks}).
 */
final class MemoryChecks {
  static final String WINDOW = "memory.window";
  static final String EXACT = "memory.exact";
  /** The two, in a verdict's order, after openings.exact. */
  static final List<String> NAMES = List.of(WINDOW, EXACT);

  private MemoryChecks() {}

  static Check window(Evidence e) {
    Evidence.Memory m = e.memory();
    if (m == null) {
      return Check.fail(WINDOW, "no memory roots", "memory roots in the window",
          "The prover never answered the memory seed.");
    }
    double elapsed = Duration.between(m.sentAt(), m.receivedAt()).toNanos() / 1e9;
    if (e.cpuBackend()) {
      return Check.skipped(WINDOW, DeviceChecks.CPU_SKIP);
    }
    GpuProfiles.Profile p = e.profile().orElse(null);
    if (p == null || !p.hasMemoryFigures()) {
      return Check.fail(WINDOW, String.format(Locale.ROOT, "%.3f s", elapsed),
          "a profile with memoryTBps", "No memory bandwidth for the claimed model, so no"
              + " memory window.");
    }
    ChallengeMemory terms = e.challenge().memory();
    Double rtt = e.clock().roundTripSeconds();
    MemoryWindow w = MemoryWindow.of(p, e.profiles().defaults(), e.challenge().dim(), terms,
        rtt == null ? e.profiles().defaults().maxRoundTripSeconds() : rtt);
    String measured = String.format(Locale.ROOT, "%.3f s", elapsed);
    String expected = String.format(Locale.ROOT, "<= %.3f s", w.maxSeconds());
    double shownTBps = elapsed > 0 ? terms.passes() * (double) w.keptBytes() / elapsed / 1e12
        : Double.POSITIVE_INFINITY;
    String proves = String.format(Locale.ROOT, "Passing proves at least %.1f GiB of the %.1f"
        + " GiB kept held in each GPU's own memory and read at %.2f TB/s or more (this run: %s"
        + " passes at %s TB/s%s).", floor1(w.provenBytes() / MemoryWindow.GIB),
        w.keptBytes() / MemoryWindow.GIB, floor2(w.provenTBps()), terms.passes(),
        Double.isFinite(shownTBps) ? String.format(Locale.ROOT, "%.2f", shownTBps) : "-",
        Boolean.TRUE.equals(p.memoryMeasured()) ? "" : "; provisional: the profile's memory"
            + " bandwidth is the vendor's figure, not yet measured");
    Check c = elapsed > w.maxSeconds()
        ? Check.fail(WINDOW, measured, expected, "The memory roots came later than "
            + p.model() + " GPUs holding the kept products would send them: products were"
            + " recomputed, read from elsewhere, or never kept."
            + RoundTripNote.ifOverCap(e.clock(), e.profiles().defaults()) + " " + proves)
        : Check.pass(WINDOW, measured, expected, "The memory roots arrived within the"
            + " profile's window. " + proves);
    Map<String, Double> f = new LinkedHashMap<>();
    f.put("elapsedSeconds", elapsed);
    f.put("expectedSeconds", w.expectedSeconds());
    f.put("maxSeconds", w.maxSeconds());
    f.put("passes", (double) terms.passes());
    f.put("keptBytes", (double) w.keptBytes());
    f.put("provenBytes", w.provenBytes());
    f.put("provenTBps", w.provenTBps());
    if (Double.isFinite(shownTBps)) {
      f.put("shownTBps", shownTBps);
    }
    if (rtt != null) {
      f.put("roundTripSeconds", rtt);
    }
    return c.withFigures(f);
  }

  /**
   * The memory roots answer this commitment and the seed sent, their digest is their own,
   * every device of the commitment has one root per pass, and the commitment's key signed
   * them; null when so, else what is wrong.
   */
  static String binding(Evidence e) {
    Evidence.Memory m = e.memory();
    if (m == null) {
      return "no memory roots were received";
    }
    MemoryRoots r = m.roots();
    String challengeDigest = Hex.encode(CommitmentDigest.challengeDigest(e.challengeBytes()));
    if (!r.challengeDigest().equalsIgnoreCase(challengeDigest)
        || !r.commitmentDigest().equalsIgnoreCase(e.commitment().commitmentDigest())) {
      return "the memory roots answer another challenge or commitment";
    }
    if (!r.memorySeed().equalsIgnoreCase(Hex.encode(m.seed()))) {
      return "the memory roots answer another memory seed than the one sent";
    }
    Challenge c = e.challenge();
    List<DeviceMemoryRoots> devices = r.devices();
    if (devices.size() != c.devices()) {
      return "memory roots for " + devices.size() + " devices, not " + c.devices();
    }
    for (int g = 0; g < devices.size(); g++) {
      if (devices.get(g).index() != g) {
        return "memory roots listed out of device order at " + g;
      }
      if (devices.get(g).roots().size() != c.memory().passes()) {
        return "device " + g + " has " + devices.get(g).roots().size() + " memory roots, not "
            + c.memory().passes();
      }
    }
    String recomputed = Hex.encode(r.recomputedDigest());
    if (!r.memoryDigest().equalsIgnoreCase(recomputed)) {
      return "the memory digest " + r.memoryDigest() + " is not " + recomputed
          + ", its roots' own";
    }
    try {
      Ed25519PublicKey signer = Ed25519PublicKey.fromPem("memory roots' proverPublicKey",
          r.proverPublicKey());
      Ed25519PublicKey committer = Ed25519PublicKey.fromPem("commitment's proverPublicKey",
          e.commitment().proverPublicKey());
      if (!java.security.MessageDigest.isEqual(signer.raw(), committer.raw())) {
        return "the memory roots are signed by key " + signer.keyId() + ", not the"
            + " commitment's " + committer.keyId();
      }
      signer.verify("memory roots signature", r.signingBytes(), r.signature());
    } catch (BadMessageException | VerificationException ex) {
      return ex.getMessage();
    }
    return null;
  }

  /**
   * memory.exact from the binding and the opened elements' results: {@code checked} elements
   * were asked for, {@code failures} of them (or missing) failed, the first being {@code
   * firstFailure}.
   */
  static Check exact(String bindingFailure, int asked, int failures, String firstFailure) {
    int exact = asked - failures;
    String measured = exact + "/" + asked + " exact";
    String expected = asked + "/" + asked + " exact";
    var figures = Figures.of("exact", exact, "requested", asked);
    if (bindingFailure != null) {
      return Check.fail(EXACT, bindingFailure.length() > 120 ? "not bound" : bindingFailure,
          "memory roots bound to this commitment and seed, signed by its key",
          "The memory roots are not the prover's answer to this memory seed: "
              + bindingFailure + ".").withFigures(figures);
    }
    if (failures > 0) {
      return Check.fail(EXACT, measured, expected, "Opened elements of the memory passes do"
          + " not match the memory roots (first: " + firstFailure + "): the passes did not"
          + " stream the canonical products.").withFigures(figures);
    }
    return Check.pass(EXACT, measured, expected, "Every opened element of the memory passes,"
        + " computed on this CPU from its recomputed row, matches the memory roots bit for"
        + " bit; the roots answer this commitment and the seed sent, signed by its key.")
        .withFigures(figures);
  }

  private static double floor1(double v) {
    return Math.floor(v * 10) / 10;
  }

  private static double floor2(double v) {
    return Math.floor(v * 100) / 100;
  }
}
