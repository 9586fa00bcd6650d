package org.gpuattest.validator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.validator.GpuProfiles;

/**
 * Runs {@link ValidatorCli} in-process with captured stdout and stderr and a fixed clock
 * (picocli manual, "Testing Your Application"), and states the CLI contract of docs/cli.md as
 * assertions: bad input is exit 2, nothing on stdout, one stderr line naming the field, and no
 * stack trace.
 */
final class ValidatorCliHarness {
  static final String MODEL = "NVIDIA H100 80GB HBM3";
  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private ValidatorCliHarness() {}

  /** What one run left behind. */
  record Result(int code, String out, String err) {
    long errLines() {
      return err.strip().lines().count();
    }

    /** Exit 2, empty stdout, exactly one stderr line containing {@code field}, no trace. */
    Result assertBadInput(String field) {
      assertEquals(ExitCodes.BAD_INPUT, code, this::describe);
      assertEquals("", out, this::describe);
      assertOneErrorLine(field);
      return this;
    }

    Result assertOneErrorLine(String field) {
      assertEquals(1, errLines(), this::describe);
      assertTrue(err.contains(field), () -> "stderr should name '" + field + "': " + describe());
      assertNoStackTrace();
      return this;
    }

    Result assertNoStackTrace() {
      assertFalse(err.contains("Exception"), this::describe);
      assertFalse(err.contains("\tat "), this::describe);
      assertFalse(out.contains("\tat "), this::describe);
      return this;
    }

    Result assertOk() {
      assertEquals(ExitCodes.OK, code, this::describe);
      assertNoStackTrace();
      return this;
    }

    String describe() {
      return "exit " + code + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
    }
  }

  static Environment env() {
    return env(NOW);
  }

  static Environment env(Instant now) {
    return new Environment(Clock.fixed(now, ZoneOffset.UTC), new SecureRandom(),
        GpuProfiles.bundled());
  }

  static Result run(String... args) {
    return run(new ByteArrayInputStream(new byte[0]), args);
  }

  static Result runWithStdin(String stdin, String... args) {
    return run(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), args);
  }

  static Result run(InputStream in, String... args) {
    return run(env(), in, args);
  }

  /** Runs with the clock fixed at {@code now}, which may carry nanoseconds as a real one does. */
  static Result runAt(Instant now, String... args) {
    return run(env(now), new ByteArrayInputStream(new byte[0]), args);
  }

  private static Result run(Environment env, InputStream in, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ValidatorCli.run(args, in, new PrintWriter(out), new PrintWriter(err), env);
    return new Result(code, out.toString(), err.toString());
  }
}
