package org.gpuattest.attestor.e2e;

import static org.gpuattest.attestor.e2e.BothTools.attestor;
import static org.gpuattest.attestor.e2e.BothTools.validator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.gpuattest.attestor.e2e.BothTools.Result;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two-host flow of the README, with files, after an honest CPU prover's 'open'. A
 * dishonest prover's openings file is one message: words in it are never options of 'validator
 * verify' (picocli's @file expansion made "--allow-cpu" pass a CPU commitment, "--replay-dir"
 * pass a replay, and "--version" end verify with exit 0 and no verdict). And a replay store the
 * validator cannot write is its own fault: exit 3, no verdict, not a failed check.
 */
class TwoHostFlowTest {
  static final String MODEL = "NVIDIA H100 80GB HBM3";
  @TempDir Path home;
  private Path session;
  private Path openings;

  /** A CPU prover's honest exchange up to its openings file, as the prover wrote it. */
  @BeforeEach
  void exchange() throws Exception {
    session = home.resolve("s.json");
    Path state = home.resolve("state");
    Result c = validator("challenge", "--gpus", "1", "--model", MODEL, "--dim", "64",
        "--iterations", "2", "--samples", "16", "--weak-timing", "--session",
        session.toString());
    Path challenge = Files.writeString(home.resolve("challenge.b64"), c.out());
    Result commitment = attestor("prove", "--backend", "cpu", "--challenge", "@" + challenge,
        "--state", state.toString());
    Path commitmentFile = Files.writeString(home.resolve("commitment.b64"), commitment.out());
    Result request = validator("sample", "--session", session.toString(), "--commitment",
        "@" + commitmentFile);
    Path requestFile = Files.writeString(home.resolve("request.b64"), request.out());
    Result o = attestor("open", "--request", "@" + requestFile, "--state", state.toString());
    assertEquals(0, o.code(), o.err());
    openings = Files.writeString(home.resolve("openings.b64"), o.out());
  }

  private Result verify(String... extra) {
    String[] base = {"verify", "--session", session.toString(), "--openings", "@" + openings,
        "--replay-dir", home.resolve("replay").toString()};
    String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return validator(all);
  }

  @Test
  void verify_openingsFileEndingInAllowCpu_isNotAnOption() throws Exception {
    Files.writeString(openings, Files.readString(openings).strip() + " --allow-cpu\n");
    Result r = verify();
    assertEquals(2, r.code(), r.out() + r.err());
    assertFalse(r.out().contains("verdict: PASS"), r.out());
  }

  @Test
  void verify_honestCpuOpeningsWithoutAllowCpu_rejected() {
    Result r = verify();
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("FAIL  devices.backend"), r.out());
  }

  /**
   * With the default replay store (as the README's flow uses it), a file naming another store
   * would let a verified session pass again.
   */
  @Test
  void verify_openingsFileNamingAFreshReplayDir_replayStillRefused() throws Exception {
    assumeTrue(System.getenv("GPU_ATTEST_HOME") == null,
        "the default replay store is GPU_ATTEST_HOME's here; this test needs user.home's");
    String userHome = System.getProperty("user.home");
    System.setProperty("user.home", home.resolve("user").toString());
    try {
      String[] verify = {"verify", "--session", session.toString(), "--openings",
          "@" + openings, "--allow-cpu"};
      assertEquals(0, validator(verify).code());
      String honest = Files.readString(openings).strip();
      Files.writeString(openings, honest + " --replay-dir " + home.resolve("fresh") + "\n");
      Result r = validator(verify);
      assertTrue(r.code() != 0, r.out());
      assertFalse(r.out().contains("verdict: PASS"), r.out());
      assertFalse(Files.exists(home.resolve("fresh")), "the file chose the replay store");
    } finally {
      System.setProperty("user.home", userHome);
    }
  }

  @Test
  void verify_unwritableReplayStore_exit3WithoutVerdict() throws Exception {
    Path file = Files.writeString(home.resolve("a-file"), "x");
    Result r = validator("verify", "--session", session.toString(), "--openings",
        "@" + openings, "--allow-cpu", "--replay-dir", file.resolve("used").toString());
    assertEquals(3, r.code(), r.out() + r.err());
    assertEquals("", r.out(), "the prover did nothing wrong: no verdict");
    assertTrue(r.err().contains("--replay-dir: replay store"), r.err());
    assertEquals(0, verify("--allow-cpu").code(), "the session is still good to verify");
  }

  @Test
  void verify_openingsFileSayingVersion_givesNoSuccess() throws Exception {
    Files.writeString(openings, "x --version\n");
    Result r = verify("--allow-cpu");
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals("", r.out());
  }
}
