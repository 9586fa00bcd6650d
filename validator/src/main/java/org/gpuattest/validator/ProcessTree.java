package org.gpuattest.validator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A started process and every descendant seen while it ran. A child that outlives its parent
 * is re-parented and no longer shows as a descendant, so descendants are noted while the step
 * runs and all of them are stopped at its end: politely first (SIGTERM, so an ssh client can
 * close its connection), then by force after a second. {@link ProcessHandle} refuses to signal
 * a pid that has since been reused by another process.
 */
final class ProcessTree {
  private static final long GRACE_MILLIS = 1000;
  /** How long a judging thread waits for a stopping JVM to end: a few times the grace. */
  private static final long PARK_MILLIS = 5 * GRACE_MILLIS;
  /** Every tree still running, for the shutdown hook; guarded by itself. */
  private static final Set<ProcessTree> RUNNING = new java.util.HashSet<>();
  private static boolean shuttingDown;
  /**
   * An unattended caller's prover runs in a session (and process group) of its own, where
   * util-linux's setsid is installed: a signal sent to the validator's process group (Ctrl-C in
   * a terminal, timeout(1)) then reaches the validator alone, whose shutdown hook stops the
   * provers after marking itself stopping ({@link #stopAll}). Otherwise the prover could die of
   * the same signal a moment before the validator knew it was stopping, and be judged for it:
   * a fault on the validator's side blamed on the prover. setsid execs the shell in place (a
   * child of the JVM leads no process group), so the tree's root is the shell as before.
   */
  static final List<String> NEW_SESSION = java.util.stream.Stream.of("/usr/bin/setsid",
      "/bin/setsid").filter(f -> java.nio.file.Files.isExecutable(java.nio.file.Path.of(f)))
      .limit(1).toList();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ProcessTree::stopAll, "stop-provers"));
  }

  /**
   * Starts a process and registers it for the shutdown hook in one step: a validator stopped
   * just after the start must not leave an unregistered prover running (nor start one while it
   * stops).
   *
   * @throws IOException the process could not be started, or the validator is stopping
   */
  static ProcessTree start(ProcessBuilder pb) throws IOException {
    synchronized (RUNNING) {
      if (shuttingDown) {
        throw new IOException("the validator is stopping");
      }
      ProcessTree tree = new ProcessTree(pb.start());
      RUNNING.add(tree);
      return tree;
    }
  }

  /**
   * Runs the operator's prover command with /bin/sh, the given words appended: sh expands the
   * command as the operator wrote it, and the words pass through "$@" untouched.
   *
   * @throws RuntimeFailureException the shell could not be started
   */
  static ProcessTree startProver(String command, List<String> words)
      throws org.gpuattest.common.RuntimeFailureException {
    return startProver(command, words, false);
  }

  /**
   * As {@link #startProver(String, List)}, in a session of its own where {@code ownSession}
   * and setsid(1) is there: for unattended callers (a service), whose prover never prompts on
   * a terminal. An interactive 'validator attest' keeps its prover on the terminal, where an
   * ssh prover may ask for a passphrase.
   */
  static ProcessTree startProver(String command, List<String> words, boolean ownSession)
      throws org.gpuattest.common.RuntimeFailureException {
    List<String> argv = new ArrayList<>(ownSession ? NEW_SESSION : List.of());
    argv.addAll(List.of("/bin/sh", "-c", command + " \"$@\"", "attestor"));
    argv.addAll(words);
    try {
      return start(new ProcessBuilder(argv));
    } catch (IOException e) {
      throw new org.gpuattest.common.RuntimeFailureException(
          "cannot start the prover command with /bin/sh: " + e.getMessage());
    }
  }

  /**
   * Stops every tree still running, and refuses to start another: this JVM is stopping.
   *
   * @return how many trees were running
   */
  static int stopAll() {
    List<ProcessTree> all;
    synchronized (RUNNING) {
      shuttingDown = true;
      all = new ArrayList<>(RUNNING);
    }
    all.forEach(ProcessTree::stop);
    return all.size();
  }

  /** Whether this JVM is stopping: its shutdown hook has begun stopping the provers. */
  static boolean stopping() {
    synchronized (RUNNING) {
      return shuttingDown;
    }
  }

  /**
   * Waits while this JVM is stopping, for at most {@link #PARK_MILLIS}. A prover stopped because
   * the validator was stopped by a signal did nothing wrong: the thread that would judge it
   * waits here while the shutdown hooks run (the command line's ends the JVM with exit 3), so
   * no verdict blames the prover for the validator's own stop, nor is archived as its failure.
   * The wait is bounded so that a service whose own shutdown waits for its threads still gets
   * their answers.
   */
  static void parkIfStopping() {
    synchronized (RUNNING) {
      if (!shuttingDown) {
        return;
      }
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PARK_MILLIS);
    for (long left; (left = deadline - System.nanoTime()) > 0; ) {
      try {
        TimeUnit.NANOSECONDS.sleep(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Stops the tree and forgets it. */
  void stopAndForget() {
    stop();
    synchronized (RUNNING) {
      RUNNING.remove(this);
    }
  }

  private final Process root;
  private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();

  ProcessTree(Process root) {
    this.root = root;
  }

  Process root() {
    return root;
  }

  void noteChildren() {
    root.descendants().forEach(seen::add);
  }

  /** Stops the process and every descendant noted; safe to call more than once. */
  void stop() {
    noteChildren();
    List<ProcessHandle> all = new ArrayList<>(seen);
    all.add(root.toHandle());
    all.removeIf(h -> !h.isAlive());
    all.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
    for (ProcessHandle h : all) {
      long left = deadline - System.nanoTime();
      try {
        if (left > 0) {
          h.onExit().get(left, TimeUnit.NANOSECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (Exception e) {
        // still running: forced below
      }
    }
    all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    closeInput();
  }

  /**
   * Ends the lifeline. On its own thread: a writer still blocked on a full pipe holds the
   * stream's lock until the pipe's reader is gone, and close would wait for it.
   */
  private void closeInput() {
    Thread t = new Thread(() -> {
      try {
        root.getOutputStream().close();
      } catch (IOException e) {
        // already closed, or the reader is gone: either way the lifeline has ended
      }
    }, "prover-stdin-close");
    t.setDaemon(true);
    t.start();
  }
}
