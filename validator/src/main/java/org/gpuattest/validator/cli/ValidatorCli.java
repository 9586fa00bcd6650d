package org.gpuattest.validator.cli;

import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.gpuattest.common.cli.CliRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The validator's command line: a thin shell over {@code org.gpuattest.validator}. */
@Command(
    name = "validator",
    mixinStandardHelpOptions = true,
    scope = picocli.CommandLine.ScopeType.INHERIT,
    version = {"validator 0.1.0 (canonical-v1, protocol version 1)"},
    description = "Challenges a GPU prover and checks its answer exactly, on any CPU.",
    subcommands = {
        ChallengeCommand.class, SampleCommand.class, VerifyCommand.class, AttestCommand.class,
        SpecCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success; for verify and attest, the verdict passed",
        "1:verified and rejected: the verdict failed (in attest, also when the prover failed)",
        "2:bad usage or bad input (one line on stderr names what)",
        "3:runtime failure on the validator's side (its files, memory, a signal)"})
public final class ValidatorCli implements Runnable {
  @Option(names = "--debug", scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "Print stack traces on errors.")
  boolean debug;

  final InputStream in;
  final Environment env;

  ValidatorCli(InputStream in, Environment env) {
    this.in = in;
    this.env = env;
  }

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        new picocli.CommandLine(this), "a subcommand is required");
  }

  /** The command tree, for documentation and tests. */
  public static picocli.CommandLine commandLine() {
    return new picocli.CommandLine(new ValidatorCli(InputStream.nullInputStream(),
        Environment.system()));
  }

  /** Runs the CLI and returns its exit code; never exits the JVM. */
  public static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err) {
    return run(args, in, out, err, Environment.system());
  }

  /** As {@link #run(String[], InputStream, PrintWriter, PrintWriter)} with a test clock. */
  public static int run(String[] args, InputStream in, PrintWriter out, PrintWriter err,
      Environment env) {
    return CliRunner.run(new ValidatorCli(in, env), args, out, err);
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8));
    System.exit(run(args, System.in, out, err));
  }
}
