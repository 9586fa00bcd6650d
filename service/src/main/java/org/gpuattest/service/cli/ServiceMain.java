package org.gpuattest.service.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.gpuattest.common.cli.CliRunner;
import org.gpuattest.common.cli.ToolVersion;
import org.gpuattest.validator.cli.ValidatorCli;

/**
 * The {@code validator} command with {@code serve} (docs/service.md): {@code validator serve
 * ...} runs the service; every other command goes to the validator's own command line
 * unchanged ({@link ValidatorCli}), so the service's jar is a drop-in for the validator's.
 */
public final class ServiceMain {
  private ServiceMain() {}

  /** --version: this build's. */
  static final class Version implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {ToolVersion.line("validator")};
    }
  }

  /**
   * Where 'serve' stands in {@code args}, or -1 when they ask for another command ('--debug' may
   * come first, as for the validator's commands).
   */
  static int serveAt(String[] args) {
    int i = 0;
    while (i < args.length && args[i].equals("--debug")) {
      i++;
    }
    return i < args.length && args[i].equals("serve") ? i : -1;
  }

  /** Runs 'serve' (args after it, and any '--debug' before) and returns its exit code. */
  public static int runServe(String[] args, PrintWriter out, PrintWriter err) {
    int at = serveAt(args);
    String[] rest = new String[args.length - 1];
    System.arraycopy(args, 0, rest, 0, at);
    System.arraycopy(args, at + 1, rest, at, args.length - at - 1);
    return CliRunner.run(() -> new picocli.CommandLine(new ServeCommand())
        .setCommandName("validator serve"), rest, out, err);
  }

  public static void main(String[] args) {
    if (serveAt(args) < 0) {
      ValidatorCli.main(args);
      return;
    }
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8));
    System.exit(runServe(args, out, err));
  }
}
