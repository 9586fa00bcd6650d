package org.gpuattest.validator.cli;

import static org.gpuattest.validator.cli.ValidatorCliHarness.MODEL;
import static org.gpuattest.validator.cli.ValidatorCliHarness.run;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Openings;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.attack.Harness;
import org.gpuattest.validator.attack.TestProver;
import org.gpuattest.validator.cli.ValidatorCliHarness.Result;

/**
 * One honest exchange through the validator's CLI, step by step ('challenge', 'sample',
 * 'verify'), with a {@link TestProver} on the CPU backend answering: what an archive test
 * starts from. The harness's clock is fixed, so the verdict's date folder is known.
 */
final class ArchiveFixture {
  static final String DAY = "2026-01-01";
  static final Instant SAMPLED = ValidatorCliHarness.NOW.plusSeconds(10);
  static final Instant VERIFIED = ValidatorCliHarness.NOW.plusSeconds(20);

  final Path dir;
  final Path session;
  final Path archive;
  final Path replay;
  final String challengeId;
  final String openings;

  /** Issues and samples a challenge for G = 2, n = 64, T = 2 and has the prover open it. */
  ArchiveFixture(Path dir) throws Exception {
    this.dir = dir;
    this.session = dir.resolve("session.json");
    this.archive = dir.resolve("archive");
    this.replay = dir.resolve("replay");
    String challengeText = run("challenge", "--gpus", "2", "--model", MODEL, "--dim", "64",
        "--iterations", "2", "--samples", "8", "--weak-timing", "--session",
        session.toString()).assertOk().out().strip();
    MessageCodec.Decoded<Challenge> c =
        MessageCodec.decode("challenge", challengeText, Challenge.class);
    challengeId = c.value().id();
    TestProver prover = new TestProver(Harness.key("prover"), TestProver.Hardware.CPU,
        TestProver.Cheats.HONEST, GpuProfiles.bundled());
    // The commitment arrives 10 s after the issue: the test prover reports 3 s of work.
    runAt(SAMPLED, "sample", "--session", session.toString(), "--commitment",
        MessageCodec.encode(prover.commit(c))).assertOk();
    Openings o = prover.open(saved().decodedRequest());
    openings = MessageCodec.encode(o);
  }

  Session saved() throws Exception {
    return Json.read("session", Files.readAllBytes(session), Session.class);
  }

  /** 'validator verify --allow-cpu' with the fixture's archive and replay store. */
  Result verify(String... extra) {
    List<String> args = new ArrayList<>(List.of("verify", "--session", session.toString(),
        "--openings", openings, "--allow-cpu", "--replay-dir", replay.toString()));
    args.addAll(List.of(extra));
    if (!args.contains("--no-archive") && !args.contains("--archive")) {
      args.addAll(List.of("--archive", archive.toString()));
    }
    return runAt(VERIFIED, args.toArray(String[]::new));
  }

  /** The CLI with the clock fixed at {@code at}. */
  static Result runAt(Instant at, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ValidatorCli.run(args, InputStream.nullInputStream(), new PrintWriter(out),
        new PrintWriter(err), new Environment(Clock.fixed(at, ZoneOffset.UTC),
            new SecureRandom(), GpuProfiles.bundled()));
    return new Result(code, out.toString(), err.toString());
  }

  /** Where the exchange is archived. */
  Path folder() {
    return archive.resolve(DAY).resolve(challengeId);
  }

  /** The archive key verify signs with: beside the replay store, created on first use. */
  Path archiveKey() {
    return replay.toAbsolutePath().resolveSibling("archive-key.pem");
  }

  /** Its public half, as reverify and fleet are given it. */
  Path validatorKey() {
    return replay.toAbsolutePath().resolveSibling("archive-key.pub.pem");
  }

  /** 'validator reverify' of the exchange at {@code at}, trusting verify's archive key. */
  Result reverifyAt(Instant at, String... extra) {
    List<String> args = new ArrayList<>(List.of("reverify", folder().toString(),
        "--validator-key", validatorKey().toString()));
    args.addAll(List.of(extra));
    return runAt(at, args.toArray(String[]::new));
  }
}
