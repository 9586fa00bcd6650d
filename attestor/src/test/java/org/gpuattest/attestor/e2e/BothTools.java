package org.gpuattest.attestor.e2e;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.gpuattest.attestor.cli.AttestorCli;
import org.gpuattest.validator.cli.ValidatorCli;

/**
 * The two tools as the end-to-end tests run them: the validator's and the attestor's CLI in
 * this JVM with captured streams, and the attestor as a prover command line for 'validator
 * attest' (this JVM's java and class path, in a home of the test's own so that no one's config
 * or state is read).
 */
final class BothTools {
  private BothTools() {}

  /** What one run printed, and its exit code. */
  record Result(int code, String out, String err) {}

  static Result validator(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ValidatorCli.run(args, new ByteArrayInputStream(new byte[0]),
        new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  static Result attestor(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = AttestorCli.run(args, new ByteArrayInputStream(new byte[0]),
        new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  /** The attestor as a /bin/sh command line with GPU_ATTEST_HOME set to {@code home}. */
  static String proverCommand(Path home) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return "GPU_ATTEST_HOME='" + home + "' '" + java + "' -cp '"
        + System.getProperty("java.class.path") + "' org.gpuattest.attestor.cli.AttestorCli";
  }
}
