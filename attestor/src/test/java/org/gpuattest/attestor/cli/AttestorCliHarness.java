package org.gpuattest.attestor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import org.gpuattest.attestor.Backends;
import org.gpuattest.kernels.cuda.CudaUnavailableException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.util.Hex;

/**
 * Runs {@link AttestorCli} in-process with captured stdout and stderr (picocli manual,
 * "Testing Your Application") and states the CLI contract of docs/cli.md as assertions: an
 * error is one stderr line naming what was wrong, nothing on stdout, no stack trace.
 */
final class AttestorCliHarness {
  static final String MODEL = "NVIDIA H100 80GB HBM3";
  private static final SecureRandom RANDOM = new SecureRandom();

  private AttestorCliHarness() {}

  /** What one run left behind. */
  record Result(int code, String out, String err) {
    long errLines() {
      return err.strip().lines().count();
    }

    /** Exit 2, empty stdout, exactly one stderr line containing {@code field}, no trace. */
    Result assertBadInput(String field) {
      return assertFailure(ExitCodes.BAD_INPUT, field);
    }

    /** Exit {@code code}, empty stdout, one stderr line containing {@code text}, no trace. */
    Result assertFailure(int expectedCode, String text) {
      assertEquals(expectedCode, code, this::describe);
      assertEquals("", out, this::describe);
      assertEquals(1, errLines(), this::describe);
      assertTrue(err.contains(text), () -> "stderr should name '" + text + "': " + describe());
      return assertNoStackTrace();
    }

    Result assertNoStackTrace() {
      assertFalse(err.contains("Exception"), this::describe);
      assertFalse(err.contains("\tat "), this::describe);
      assertFalse(out.contains("\tat "), this::describe);
      return this;
    }

    Result assertOk() {
      assertEquals(ExitCodes.OK, code, this::describe);
      return assertNoStackTrace();
    }

    String describe() {
      return "exit " + code + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
    }
  }

  static Result run(String... args) {
    return run(new ByteArrayInputStream(new byte[0]), args);
  }

  static Result runWithStdin(String stdin, String... args) {
    return run(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), args);
  }

  /**
   * What these tests see of CUDA unless they give a driver: none, whatever the host has, so a
   * test's outcome does not depend on the machine it runs on.
   */
  static final Backends.CudaOpener NO_GPU = w -> {
    throw new CudaUnavailableException("no NVIDIA driver: libcuda.so.1 cannot be loaded"
        + " (install the NVIDIA driver)");
  };

  /** A config file that is never there: these runs never read the user's own config. */
  static final Path NO_CONFIG = Path.of("target", "no-such-attestor-config.json");

  static Result run(InputStream in, String... args) {
    return runOn(NO_GPU, in, args);
  }

  /** Runs with CUDA opened by {@code cuda}, for example over a fake driver. */
  static Result runOn(Backends.CudaOpener cuda, InputStream in, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = AttestorCli.run(args, in, new PrintWriter(out), new PrintWriter(err), cuda,
        NO_CONFIG);
    return new Result(code, out.toString(), err.toString());
  }

  /** Runs with {@code defaultConfig} read as the default config file (if it exists). */
  static Result runWithDefaultConfig(Path defaultConfig, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = AttestorCli.run(args, new ByteArrayInputStream(new byte[0]), new PrintWriter(out),
        new PrintWriter(err), NO_GPU, defaultConfig);
    return new Result(code, out.toString(), err.toString());
  }

  static Result runOn(Backends.CudaOpener cuda, String... args) {
    return runOn(cuda, new ByteArrayInputStream(new byte[0]), args);
  }

  /** An unsigned challenge with a fresh id and seed, valid from a minute ago for ten more. */
  static Challenge challenge(int dim, int iterations, int devices, int samples) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return challenge(dim, iterations, devices, samples, now.minusSeconds(60),
        now.plusSeconds(600));
  }

  static Challenge challenge(int dim, int iterations, int devices, int samples, Instant issued,
      Instant expires) {
    return new Challenge(1, Hex.encode(random(16)), Hex.encode(random(32)), dim, iterations,
        devices, MODEL, issued.toString(), expires.toString(), samples, null, null);
  }

  static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
