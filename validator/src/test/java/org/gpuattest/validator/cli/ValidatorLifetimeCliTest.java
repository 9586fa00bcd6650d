package org.gpuattest.validator.cli;

import static org.gpuattest.validator.ScriptProvers.script;
import static org.gpuattest.validator.cli.ValidatorCliHarness.MODEL;
import static org.gpuattest.validator.cli.ValidatorCliHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.validator.cli.ValidatorCliHarness.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A challenge's lifetime and the profile figures it is made from, through 'validator attest'
 * and 'validator challenge': a --ttl shorter than the prover's preparation and the timing
 * window, work whose window does not fit in 7 days, and a profile rate or slack out of its
 * range are each exit 2 with one line naming the option or field, before any prover starts;
 * a default lifetime never passes 7 days.
 */
class ValidatorLifetimeCliTest {
  @TempDir Path dir;

  /** A prover that only records that it was started. */
  private String prover() throws Exception {
    return script(dir, "prover", "touch '" + dir.resolve("started") + "'\nexit 3");
  }

  private boolean proverStarted() {
    return Files.exists(dir.resolve("started"));
  }

  /** 'attest' at n = 2048, T = 1000, or the n and T {@code extra} starts with. */
  private String[] attest(String... extra) throws Exception {
    List<String> work = extra.length > 0 && extra[0].equals("--dim") ? List.of()
        : List.of("--dim", "2048", "--iterations", "1000");
    List<String> args = new ArrayList<>(List.of("attest", "--prover", prover(), "--gpus", "1",
        "--model", MODEL));
    args.addAll(work);
    args.addAll(List.of("--replay-dir",
        dir.resolve("replay").toString(), "--no-archive", "--weak-timing"));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  /**
   * n = 2048, T = 1000 after 60 s of preparation and 10 s for the ping: 72 s at least
   * (ChallengeLifetimeTest).
   */
  @Test
  void attest_ttlShorterThanPreparationAndWindow_exit2NamingTheLeastBeforeAnyProver()
      throws Exception {
    // 60 s to prepare, 10 s for the pong, 1.7 s of timing window, then 2.5 s of memory phase
    // (1000 products kept)
    Result r = run(attest("--ttl", "74")).assertBadInput("--ttl: must be at least 75 s");
    assertTrue(r.err().contains("the prover's preparation, 60.0 s (--prepare-timeout)"),
        r.err());
    assertTrue(r.err().contains(", then the memory phase's window, 2.5 s"), r.err());
    assertFalse(proverStarted());
    run(attest("--ttl", "24", "--prepare-timeout", "10"))
        .assertBadInput("--ttl: must be at least 25 s");
    run(attest("--ttl", "21", "--prepare-timeout", "10", "--no-memory"))
        .assertBadInput("--ttl: must be at least 22 s");
    assertFalse(proverStarted());
  }

  @Test
  void attest_workLongerThanSevenDays_exit2BeforeAnyProver() throws Exception {
    run(attest("--dim", "16384", "--iterations", "1048576"))
        .assertBadInput("--iterations: 1048576 iterations at --dim 16384 on 1 device need a"
            + " challenge that lives");
    assertFalse(proverStarted());
  }

  /** A subnormal rate used to give an expiry in the year +292279051 and a long overflow. */
  @Test
  void attest_subnormalRateOrHugeSlack_exit2NamingTheFieldBeforeAnyProver() throws Exception {
    Path rate = Files.writeString(dir.resolve("rate.json"), "{\"version\": 1, \"profiles\": [{"
        + "\"model\": \"" + MODEL + "\", \"smCount\": 132, \"memoryGiB\": 80, \"fp64Tflops\":"
        + " 33.5, \"fp64TensorTflops\": 67.0, \"canonicalTflops\": 1e-320,"
        + " \"canonicalMeasured\": true}]}");
    run(attest("--profiles", rate.toString())).assertBadInput(
        "canonicalTflops must be in [0.001, 10000] TFLOP/s, got 1.0E-320");
    Path slack = Files.writeString(dir.resolve("slack.json"),
        "{\"version\": 1, \"defaults\": {\"slack\": 1e300}}");
    run(attest("--profiles", slack.toString())).assertBadInput(
        "slack must be in [1, 100], got 1.0E300");
    assertFalse(proverStarted());
  }

  /**
   * A window from issue of 604779 s, 21 s under 7 days: the window plus the 30 s margin would
   * pass 7 days, so the default lifetime is 7 days.
   */
  @Test
  void challenge_defaultLifetimeOfLongWork_cappedAtSevenDays() throws Exception {
    Path session = dir.resolve("s.json");
    String text = run("challenge", "--gpus", "1", "--model", MODEL, "--dim", "16384",
        "--iterations", "470950", "--samples", "8", "--weak-timing", "--session",
        session.toString()).assertOk().out().strip();
    Challenge c = MessageCodec.decode("challenge", text, Challenge.class).value();
    assertEquals(Duration.ofDays(7), Duration.between(c.issued(), c.expires()));
  }

  @Test
  void challenge_ttlShorterThanTheWindowFromIssue_exit2() throws Exception {
    Path session = dir.resolve("s.json");
    run("challenge", "--gpus", "1", "--model", MODEL, "--dim", "2048", "--iterations", "1000",
        "--samples", "8", "--weak-timing", "--ttl", "24", "--session", session.toString())
        .assertBadInput("--ttl: must be at least 25 s");
    assertFalse(Files.exists(session));
  }
}
