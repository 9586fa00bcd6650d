package org.gpuattest.validator;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.RuntimeFailureException;

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

  /**
   * Loads the session, applies {@code step} and saves what it returns, all under the lock.
   * If the step throws, the file is left exactly as it was.
   *
   * @return the saved session
   */
  public static Session update(Path file, Step step)
      throws BadMessageException, RuntimeFailureException, IOException {
    ReentrantLock local = IN_PROCESS.computeIfAbsent(file.toAbsolutePath().normalize(),
        p -> new ReentrantLock());
    local.lock();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE); FileLock ignored = channel.lock()) {
      Session next = step.apply(Session.load(file));
      next.save(file);
      return next;
    } catch (NoSuchFileException e) {
      throw new BadMessageException("no session file " + file);
    } finally {
      local.unlock();
    }
  }
}
