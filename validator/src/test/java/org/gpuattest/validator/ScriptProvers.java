package org.gpuattest.validator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Stand-in provers for process tests: a shell script, run as "sh FILE" with the step's words. */
public final class ScriptProvers {
  private ScriptProvers() {}

  /** Writes {@code body} to dir/name.sh and returns the prover command that runs it. */
  public static String script(Path dir, String name, String body) throws IOException {
    Path file = dir.resolve(name + ".sh");
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    return "sh '" + file + "'";
  }

  /** Waits up to 10 s for a process that a script wrote to {@code pidFile}; its pid. */
  public static long awaitPid(Path pidFile) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (Files.exists(pidFile)) {
        String text = Files.readString(pidFile).strip();
        if (!text.isEmpty()) {
          return Long.parseLong(text);
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no pid in " + pidFile);
  }

  /** Whether the process is gone within 5 s. */
  public static boolean goneSoon(long pid) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }
}
