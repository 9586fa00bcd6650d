package org.gpuattest.common.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.RuntimeFailureException;
import picocli.CommandLine;

/**
 * Runs a picocli command tree with the exit-code contract of both CLIs (docs/cli.md): results
 * on stdout, one line on stderr for any error, 2 for bad usage or input, 3 for a runtime
 * failure, and a stack trace only with {@code --debug}. Tests call {@link #run} with their own
 * writers; {@code main} only exits with what it returns (picocli manual, "Testing").
 */
public final class CliRunner {
  private CliRunner() {}

  public static int run(Object command, String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(command);
    boolean debug = java.util.Arrays.asList(args).contains("--debug");
    cli.setOut(out);
    cli.setErr(err);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setParameterExceptionHandler((ex, a) -> {
      CommandLine sub = ex.getCommandLine();
      err.println(sub.getCommandSpec().qualifiedName() + ": " + oneLine(ex.getMessage())
          + " (see '" + sub.getCommandSpec().qualifiedName() + " --help')");
      err.flush();
      return ExitCodes.BAD_INPUT;
    });
    cli.setExecutionExceptionHandler((ex, sub, parsed) -> {
      String name = sub.getCommandSpec().root().name();
      int code = exitCode(ex);
      String text = ex.getMessage();
      if (code == ExitCodes.RUNTIME && !(ex instanceof IOException
          || ex instanceof UncheckedIOException || ex instanceof RuntimeFailureException)) {
        text = "internal error: " + ex;
      }
      err.println(name + ": " + oneLine(text));
      if (debug) {
        ex.printStackTrace(err);
      } else if (text != null && text.startsWith("internal error")) {
        err.println(name + ": run again with --debug for the stack trace");
      }
      err.flush();
      return code;
    });
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  static int exitCode(Throwable e) {
    if (e instanceof BadMessageException || e instanceof IllegalArgumentException
        || e instanceof CommandLine.ParameterException) {
      return ExitCodes.BAD_INPUT;
    }
    return ExitCodes.RUNTIME;
  }

  static String oneLine(String s) {
    if (s == null) {
      return "failed";
    }
    return s.replace('\n', ' ').replace('\r', ' ').trim();
  }
}
