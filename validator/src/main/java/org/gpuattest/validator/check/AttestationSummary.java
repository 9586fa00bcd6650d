package org.gpuattest.validator.check;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.VerificationException;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.message.Attestation;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.validator.TimingWindow;

/**
 * The verdict's {@code attestation} object (docs/protocol.md section 4.5) for one piece of
 * evidence: the claim from the validator's challenge, the commitment's key and device ids, and
 * the timing figures timing.window judges, computed the same way (TimingChecks).
 */
public final class AttestationSummary {
  private AttestationSummary() {}

  /**
   * The summary of {@code e}; its openings are not looked at, so a session whose prover failed
   * after committing (at 'open') is summarised too.
   */
  public static Attestation of(Evidence e, Instant verifiedAt) {
    Challenge c = e.challenge();
    List<DeviceReport> reports = e.commitment().devices();
    return new Attestation(c.model(), c.dim(), c.iterations(), c.devices(), c.samples(),
        e.request().samples().size(), backend(reports), e.commitment().proverPublicKey(), signerKeyId(e.commitment()),
        reports.stream().map(DeviceReport::uuid).toList(), verifiedAt.toString(),
        throughput(e));
  }

  static Attestation.Throughput throughput(Evidence e) {
    Challenge c = e.challenge();
    double elapsed = Duration.between(e.clock().at(), e.receivedAt()).toNanos() / 1e9;
    Double tflops = Attestation.tflopsPerGpu(c.dim(), c.iterations(), elapsed);
    Double rtt = e.clock().roundTripSeconds();
    if (e.cpuBackend() || e.profile().isEmpty()) {
      return new Attestation.Throughput(elapsed, null, null, null, null, null, tflops,
          e.clock().startupOutside(), rtt);
    }
    TimingWindow w = TimingChecks.window(e);
    Double shown = elapsed > 0 ? w.provenDevices(c.devices(), elapsed) : null;
    return new Attestation.Throughput(elapsed, w.expectedSeconds(), w.minSeconds(),
        w.maxSeconds(), shown, w.provenAtBound(c.devices()), tflops, e.clock().startupOutside(),
        rtt);
  }

  private static String backend(List<DeviceReport> reports) {
    TreeSet<String> backends = new TreeSet<>();
    reports.forEach(r -> backends.add(r.backend()));
    return backends.size() == 1 ? backends.first() : Attestation.MIXED;
  }

  /**
   * The key's id only where the commitment's signature verifies with it, else null: the id is
   * what a fleet report attributes a verdict to (docs/protocol.md 4.5), and a prover could put
   * any key in its commitment to have its failures counted against another provider.
   */
  public static String signerKeyId(Commitment c) {
    try {
      Ed25519PublicKey key = Ed25519PublicKey.fromPem("proverPublicKey", c.proverPublicKey());
      key.verify("commitment signature", c.signingBytes(), c.signature());
      return key.keyId();
    } catch (BadMessageException | VerificationException e) {
      return null;
    }
  }
}
