package org.gpuattest.validator.cli;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.validator.ProverProcess;

/**
 * Exit code 3 and one line when {@code validator} is stopped by a signal (SIGTERM, or SIGINT
 * from Ctrl-C; docs/protocol.md §8.4). On such a signal the JVM runs its shutdown hooks and
 * would exit 143 or 130 with nothing said; this hook stops every prover still running, with
 * everything it started, says so, and halts with 3. It does nothing when {@code main} itself
 * exits. Only the command line installs it: a service using the library keeps its own exit
 * codes, and its provers are still stopped by the library's own hook.
 */
final class SignalExit {
  private static final AtomicBoolean MAIN_DONE = new AtomicBoolean();

  private SignalExit() {}

  static void install(PrintWriter err) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (MAIN_DONE.get()) {
        return;
      }
      int provers = ProverProcess.stopEveryProver();
      err.println(provers > 0
          ? "validator: stopped by a signal; the prover and everything it started have been"
              + " stopped (exit 3)"
          : "validator: stopped by a signal (exit 3)");
      err.flush();
      Runtime.getRuntime().halt(ExitCodes.RUNTIME);
    }, "validator-stopped-by-signal"));
  }

  /** {@code main} has finished: the JVM's exit is its own, with its own code. */
  static void mainDone() {
    MAIN_DONE.set(true);
  }
}
