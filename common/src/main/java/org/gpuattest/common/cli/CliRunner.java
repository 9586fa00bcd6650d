package org.gpuattest.common.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.util.AtomicFiles;
import org.gpuattest.common.util.Printable;
import picocli.CommandLine;

/**
 * Runs a picocli command tree with the exit-code contract of both CLIs (docs/cli.md): results
 * on stdout, one line on stderr for any error (one per problem where a file has several,
 * {@link BadMessageException#problems()}), 2 for bad usage or input, 3 for a runtime
 * failure (an {@link Error} such as running out of memory included), and a stack trace only
 * with {@code --debug}. Tests call {@link #run} with their own writers; {@code main} only exits
 * with what it returns (picocli manual, "Testing").
 *
 * <p>picocli's {@code @file} expansion is turned off: it would read a file named on the command
 * line and splice its words in as options, so a message file written by the other party (an
 * openings file ending in {@code --allow-cpu}, say) could change how it is verified. Message
 * options read {@code @file} themselves, as one message ({@code MessageInput}).
 */
public final class CliRunner {
  private CliRunner() {}

  public static int run(Object command, String[] args, PrintWriter out, PrintWriter err) {
    return run(() -> new CommandLine(command), args, out, err);
  }

  /**
   * The command tree for {@code args}: {@code root} with only the subcommand the arguments start
   * with, or with all of {@code names} where they start with none (help, version, root options,
   * a usage error). {@code make} builds a subcommand by name, so the classes of the others are
   * never loaded (a constructor reference would load each one).
   */
  public static CommandLine tree(Object root, String[] args, List<String> names,
      Function<String, Object> make) {
    CommandLine cli = new CommandLine(root);
    String only = args.length > 0 && names.contains(args[0]) ? args[0] : null;
    for (String name : names) {
      if (only == null || only.equals(name)) {
        cli.addSubcommand(name, make.apply(name));
      }
    }
    return cli;
  }

  /**
   * As {@link #run(Object, String[], PrintWriter, PrintWriter)}, with the command tree made by
   * {@code tree}: a CLI may leave out the subcommands the arguments do not name, since picocli
   * builds each one's model by reflection at start-up.
   */
  public static int run(Supplier<CommandLine> tree, String[] args, PrintWriter out,
      PrintWriter err) {
    boolean debug = java.util.Arrays.asList(args).contains("--debug");
    String name = "gpu-attest";
    try {
      CommandLine cli = tree.get();
      name = cli.getCommandSpec().name();
      cli.setExpandAtFiles(false);
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
      cli.setExecutionExceptionHandler((ex, sub, parsed) -> report(
          sub.getCommandSpec().root().name(), ex, debug, err));
      return cli.execute(args);
    } catch (Error e) {
      // Out of memory, a stack overflow: the environment failed, not the input.
      return report(name, e, debug, err);
    } finally {
      out.flush();
      err.flush();
    }
  }

  private static int report(String name, Throwable ex, boolean debug, PrintWriter err) {
    int code = exitCode(ex);
    String text = ex.getMessage();
    if (ex instanceof IOException io) {
      text = AtomicFiles.describe(io); // Java's own messages are often a bare path
    } else if (ex instanceof OutOfMemoryError) {
      text = "out of memory (" + oneLine(text) + "); run java with a larger -Xmx or ask for"
          + " less work";
    } else if (code == ExitCodes.RUNTIME && !(ex instanceof IOException
        || ex instanceof UncheckedIOException || ex instanceof RuntimeFailureException)) {
      text = "internal error: " + ex;
    }
    if (ex instanceof BadMessageException bad && bad.problems().size() > 1) {
      for (String problem : bad.problems()) { // a file with several bad entries: one line each
        err.println(name + ": " + oneLine(problem));
      }
    } else {
      err.println(name + ": " + oneLine(text));
    }
    if (debug) {
      ex.printStackTrace(err);
    } else if (text != null && text.startsWith("internal error")) {
      err.println(name + ": run again with --debug for the stack trace");
    }
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

  /**
   * One printable line: line ends become spaces, and every other control character (which an
   * error quoting the other party's text may carry) is escaped ({@link Printable}).
   */
  static String oneLine(String s) {
    if (s == null) {
      return "failed";
    }
    return Printable.escape(s.replace('\n', ' ').replace('\r', ' ').trim());
  }
}
