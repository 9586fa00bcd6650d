package org.gpuattest.service.cli;

import sun.misc.Signal;

/**
 * The service's signals: SIGHUP reloads the fleet file; SIGTERM and SIGINT stop it gracefully.
 * They are handled here, in place of the JVM's own handling, which would run the shutdown hooks
 * at once and so stop every prover mid-attestation: the service first stops scheduling and
 * waits for the running attestations (docs/service.md, "Stopping"), then exits by itself.
 * {@code sun.misc.Signal} (module jdk.unsupported) is the JDK's only way to catch a signal.
 */
final class Signals {
  private Signals() {}

  static void onReload(Runnable reload) {
    handle("HUP", reload);
  }

  static void onStop(Runnable stop) {
    handle("TERM", stop);
    handle("INT", stop);
  }

  private static void handle(String name, Runnable action) {
    try {
      // Each signal runs the action on a thread of its own, never the signal dispatcher's.
      Signal.handle(new Signal(name), s -> new Thread(action, "signal-" + name).start());
    } catch (IllegalArgumentException e) {
      // The signal does not exist here (or the JVM reserves it): that way of asking is absent.
    }
  }
}
