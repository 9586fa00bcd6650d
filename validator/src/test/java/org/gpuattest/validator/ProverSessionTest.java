package org.gpuattest.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An unattended caller's prover runs in a session of its own (ProcessTree.NEW_SESSION): a
 * signal to the caller's process group (Ctrl-C, timeout(1)) must not reach it before the
 * caller knows it is stopping, or an honest prover is judged for the caller's own stop. An
 * interactive one stays in the caller's session, on its terminal.
 */
class ProverSessionTest {
  /** Field 6 of /proc/PID/stat, the session id (after the command's closing parenthesis). */
  private static long session(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(rest[3]);
  }

  @Test
  void startProver_runsInItsOwnSession_shellAsTheTreesRoot() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self")), "no /proc here");
    assumeTrue(!ProcessTree.NEW_SESSION.isEmpty(), "no setsid(1) here");
    ProcessTree tree = ProcessTree.startProver("sleep 30 #", List.of("prove"), true);
    try {
      long pid = tree.root().pid();
      // setsid executes the shell in place: the root is the shell, leading its own session.
      for (int i = 0; i < 50 && session(pid) != pid; i++) {
        Thread.sleep(20);
      }
      assertEquals(pid, session(pid), "the prover's shell leads a session of its own");
      assertNotEquals(session(ProcessHandle.current().pid()), session(pid));
    } finally {
      tree.stopAndForget();
    }
    ProcessTree attended = ProcessTree.startProver("sleep 30 #", List.of("prove"));
    try {
      assertEquals(session(ProcessHandle.current().pid()), session(attended.root().pid()),
          "'validator attest''s prover stays in its session, on its terminal");
    } finally {
      attended.stopAndForget();
    }
  }
}
