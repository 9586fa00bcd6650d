package org.gpuattest.validator;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.util.InputFiles;

/**
 * A session kept in a file, changed by one step at a time. Two {@code validator sample} runs on
 * one session must not both draw samples (the prover would get two tries at its openings), so
 * a step holds an exclusive lock while it reads, decides and writes: a lock within this JVM
 * (file locks are per process) and an OS file lock on the session file across processes.
 *
 * <p>Each step replaces the file by an atomic rename, so a waiting step may hold the lock of a
 * file that has since been replaced. It therefore reads the session through the path after it
 * has the lock: it sees every step finished before it, and since a session only ever moves
 * forward (a step refuses a session past its own stage), a stale lock cannot let two steps
 * through.
 */
public final class SessionFile {
  private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS =
      new ConcurrentHashMap<>();

  /** One step: the session as it is, to the session as it should be saved. */
  @FunctionalInterface
  public interface Step {
    Session apply(Session current) throws BadMessageException, RuntimeFailureException;
  }

  private SessionFile() {}

  /** As {@link #update(String, Path, Step)}, refusals starting with "session". */
  public static Session update(Path file, Step step)
      throws BadMessageException, RuntimeFailureException, IOException {
    return update("session", file, step);
  }

  /**
   * Loads the session, applies {@code step} and saves what it returns, all under the lock.
   * If the step throws, the file is left exactly as it was.
   *
   * @param what the option that named the file, as refusals start: "--session"
   * @return the saved session
   * @throws BadMessageException the file is missing, a folder, cannot be opened to be read
   *     and written, or is not a session: one line naming {@code what} and the file
   */
  public static Session update(String what, Path file, Step step)
      throws BadMessageException, RuntimeFailureException, IOException {
    ReentrantLock local = IN_PROCESS.computeIfAbsent(file.toAbsolutePath().normalize(),
        p -> new ReentrantLock());
    local.lock();
    try (FileChannel channel = open(what, file); FileLock ignored = channel.lock()) {
      Session next = step.apply(Session.load(what, file));
      next.save(file);
      return next;
    } finally {
      local.unlock();
    }
  }

  /** The file, opened to be read and written (the lock needs both). */
  private static FileChannel open(String what, Path file) throws BadMessageException {
    if (Files.isDirectory(file)) {
      throw new BadMessageException(what + ": " + file + " is a folder, not a session file");
    }
    try {
      return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (AccessDeniedException e) {
      throw new BadMessageException(what + ": cannot open " + file + " to read and write it:"
          + " permission denied");
    } catch (IOException e) {
      throw InputFiles.unreadable(what, file, e);
    }
  }
}
