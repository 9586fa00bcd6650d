package org.gpuattest.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.util.Hex;
import org.gpuattest.validator.ChallengeIssuer;
import org.gpuattest.validator.Session;

/**
 * Writes {@link VerifyCostBenchmark}'s exchange (G = 8, n = 2048, T = 7974, K = 460, seed 42,
 * the same {@link VerifyFixture}) as the texts a service holds once the openings are in: the
 * session ({@code session.json}) and the openings as the prover sends them ({@code openings.txt}). The service's warm
 * verification harness ({@code org.gpuattest.service.run.WarmVerify}, docs/benchmarks.md,
 * "Service") verifies them, so the two figures are of one exchange.
 *
 * <p>It needs no JMH, so it also builds outside the jmh profile (the command in
 * docs/benchmarks.md, "Service", compiles it and the fixture with javac).
 */
public final class VerifyExchangeFiles {
  /** {@link VerifyCostBenchmark}'s, named here so that this class needs no JMH. */
  static final int DEVICES = 8;
  static final int DIM = 2048;
  static final double SECONDS = 10.0;

  private VerifyExchangeFiles() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: VerifyExchangeFiles DIR");
      System.exit(2);
    }
    Path dir = Files.createDirectories(Path.of(args[0]));
    VerifyFixture f = VerifyFixture.build(DEVICES, DIM, SECONDS, ChallengeIssuer.DEFAULT_SAMPLES,
        42L);
    // The sampling seed is not checked again at verification; the request is the fixture's.
    // Messages travel as base64 of their JSON; the challenge as the very bytes it was signed in.
    Session s = new Session(1, Base64.getEncoder().encodeToString(f.challengeBytes),
        VerifyFixture.ISSUED.toString(), MessageCodec.encode(f.commitment),
        f.receivedAt.toString(), Hex.encode(new byte[32]), MessageCodec.encode(f.request));
    s.save(dir.resolve("session.json"));
    Files.writeString(dir.resolve("openings.txt"), MessageCodec.encode(f.openings));
    System.err.printf("wrote %s/session.json and openings.txt: G=%d n=%d T=%d K=%d%n", dir,
        DEVICES, DIM, f.challenge.iterations(),
        f.request.samples().size());
  }
}
