package org.gpuattest.common.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The exit-code contract of both CLIs, on a small command of its own. */
class CliRunnerTest {
  @TempDir Path dir;

  /** Echoes its message option; or throws what it is told to. */
  @Command(name = "tool")
  static final class Tool implements Callable<Integer> {
    @Option(names = "--message") String message;
    @Option(names = "--allow-anything") boolean allowAnything;
    @Option(names = "--throw") String toThrow;
    @Option(names = "--debug") boolean debug;
    String seen;

    @Override
    public Integer call() {
      if ("oom".equals(toThrow)) {
        throw new OutOfMemoryError("Java heap space");
      }
      if ("stack".equals(toThrow)) {
        throw new StackOverflowError();
      }
      if ("denied".equals(toThrow)) {
        sneaky(new java.nio.file.AccessDeniedException("/srv/session.json"));
      }
      if ("problems".equals(toThrow)) {
        sneaky(new BadMessageException(java.util.List.of("f.json: entries[0]: bad\rline",
            "f.json: entries[3]: also bad")));
      }
      seen = message + (allowAnything ? " +allow" : "");
      return 0;
    }
  }

  @SuppressWarnings("unchecked")
  static <E extends Throwable> void sneaky(Throwable e) throws E {
    throw (E) e;
  }

  record Run(int code, String out, String err) {}

  private static Run run(Tool tool, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = CliRunner.run(tool, args, new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  /** picocli would splice the file's words in as options; the option must get "@file" itself. */
  @Test
  void run_atFileArgument_isNotExpandedIntoOptions() throws Exception {
    Path file = Files.writeString(dir.resolve("openings.b64"), "QUJD --allow-anything\n");
    Tool tool = new Tool();
    Run r = run(tool, "--message", "@" + file);
    assertEquals(ExitCodes.OK, r.code(), r.err());
    assertEquals("@" + file, tool.seen);
  }

  @Test
  void run_atFileNamingVersion_doesNotEndTheRun() throws Exception {
    Path file = Files.writeString(dir.resolve("x.b64"), "x --version\n");
    Tool tool = new Tool();
    Run r = run(tool, "--message", "@" + file);
    assertEquals(ExitCodes.OK, r.code());
    assertEquals("@" + file, tool.seen, "the command ran with the literal argument");
  }

  @Test
  void run_outOfMemory_exit3WithOneLineAndNoTrace() {
    Run r = run(new Tool(), "--throw", "oom");
    assertEquals(ExitCodes.RUNTIME, r.code());
    assertEquals("", r.out());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("tool: out of memory"), r.err());
    assertFalse(r.err().contains("\tat "), r.err());
  }

  @Test
  void run_stackOverflow_exit3WithOneLineAndNoTrace() {
    Run r = run(new Tool(), "--throw", "stack");
    assertEquals(ExitCodes.RUNTIME, r.code());
    assertFalse(r.err().contains("\tat "), r.err());
    assertTrue(r.err().contains("internal error"), r.err());
  }

  /** Java's file errors carry only a path; the line says what happened to it. */
  @Test
  void run_fileSystemError_exit3SayingWhat() {
    Run r = run(new Tool(), "--throw", "denied");
    assertEquals(ExitCodes.RUNTIME, r.code());
    assertEquals("tool: permission denied: /srv/session.json", r.err().strip());
  }

  /** A file with several bad entries: every one on its own line, none able to forge one. */
  @Test
  void run_severalProblems_oneLineEachExit2() {
    Run r = run(new Tool(), "--throw", "problems");
    assertEquals(ExitCodes.BAD_INPUT, r.code());
    assertEquals(java.util.List.of("tool: f.json: entries[0]: bad line",
        "tool: f.json: entries[3]: also bad"), r.err().strip().lines().toList());
  }

  @Test
  void run_errorWithDebug_printsTheTrace() {
    Run r = run(new Tool(), "--throw", "oom", "--debug");
    assertEquals(ExitCodes.RUNTIME, r.code());
    assertTrue(r.err().contains("\tat "), r.err());
  }
}
