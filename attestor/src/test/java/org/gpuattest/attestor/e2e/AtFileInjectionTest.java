package org.gpuattest.attestor.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gpuattest.attestor.cli.AttestorCli;
import org.gpuattest.validator.cli.ValidatorCli;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two-host flow of the README with a dishonest prover's openings file. The file is one
 * message: words in it are never options of 'validator verify' (picocli's @file expansion
 * would have made "--allow-cpu" pass a CPU commitment, "--replay-dir" pass a replay, and
 * "--version" end verify with exit 0 and no verdict).
 */
class AtFileInjectionTest {
  static final String MODEL = "NVIDIA H100 80GB HBM3";
  @TempDir Path home;
  private Path session;
  private Path openings;

  record Result(int code, String out, String err) {}

  private static Result validator(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ValidatorCli.run(args, new ByteArrayInputStream(new byte[0]),
        new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  private static Result attestor(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = AttestorCli.run(args, new ByteArrayInputStream(new byte[0]),
        new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  /** A CPU prover's honest exchange up to its openings file, as the prover wrote it. */
  @BeforeEach
  void exchange() throws Exception {
    session = home.resolve("s.json");
    Path state = home.resolve("state");
    Result c = validator("challenge", "--gpus", "1", "--model", MODEL, "--dim", "64",
        "--iterations", "2", "--samples", "16", "--session", session.toString());
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

  @Test
  void verify_openingsFileNamingAFreshReplayDir_replayStillRefused() throws Exception {
    assertEquals(0, verify("--allow-cpu").code());
    String honest = Files.readString(openings).strip();
    Files.writeString(openings, honest + " --replay-dir " + home.resolve("fresh") + "\n");
    Result r = verify("--allow-cpu");
    assertTrue(r.code() != 0, r.out());
    assertFalse(r.out().contains("verdict: PASS"), r.out());
    assertFalse(Files.exists(home.resolve("fresh")), "the file chose the replay store");
  }

  @Test
  void verify_openingsFileSayingVersion_givesNoSuccess() throws Exception {
    Files.writeString(openings, "x --version\n");
    Result r = verify("--allow-cpu");
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals("", r.out());
  }
}
