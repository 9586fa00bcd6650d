package org.gpuattest.attestor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.util.Pruning;

/**
 * Removes prover state ({@link ProverState}: one folder per commitment) whose challenge expired
 * more than a number of days ago. A state is needed until the validator stops asking for its
 * openings, which it may do up to 7 days after the challenge expired, so at least {@link
 * Pruning#MIN_PROTECTED_DAYS} days are kept. A state's age is counted from its challenge's
 * expiresAt, or where challenge.json cannot be read (such a state cannot be opened either)
 * from the folder's time. Only folders named by a commitment digest and holding nothing but
 * the state's files are removed, with the temporary folders a crashed 'prove' left.
 */
public final class StatePruner {
  private static final Pattern STATE_FOLDER = Pattern.compile("[0-9a-f]{64}");
  private static final String PARTIAL_PREFIX = ".partial-";
  private static final Set<String> FILES =
      Set.of(ProverState.CHALLENGE, ProverState.META, ProverState.ROOTS);
  /** A challenge is small; more than this in challenge.json is not one. */
  private static final long MAX_CHALLENGE_BYTES = 1 << 16;

  private StatePruner() {}

  /**
   * @param days at least {@link Pruning#MIN_PROTECTED_DAYS}
   */
  public static Pruning.Tally prune(Path root, Instant now, int days, boolean dryRun)
      throws IOException {
    if (days < Pruning.MIN_PROTECTED_DAYS) {
      throw new IllegalArgumentException("prover state is kept at least "
          + Pruning.MIN_PROTECTED_DAYS + " days after its challenge expired, got " + days);
    }
    Pruning.Tally t = new Pruning.Tally("prover state", root, "states", dryRun);
    Instant cutoff = Pruning.cutoff(now, days);
    for (Path p : Pruning.entries(t, root)) {
      String name = p.getFileName().toString();
      boolean partial = name.startsWith(PARTIAL_PREFIX);
      if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
          || !(partial || STATE_FOLDER.matcher(name).matches())) {
        t.ignored(p, "not a prover state");
        continue;
      }
      Instant since = partial ? Pruning.modified(p) : expired(p);
      if (!since.isBefore(cutoff)) {
        t.kept();
        continue;
      }
      OptionalLong bytes = Pruning.removeFolder(p, FILES, dryRun);
      if (bytes.isEmpty()) {
        t.ignored(p, "holds files 'prove' does not write");
      } else {
        t.removed(bytes.getAsLong());
      }
    }
    return t;
  }

  /** When the state's challenge expired; else the folder's time, the latest it can have been. */
  static Instant expired(Path state) throws IOException {
    Path file = state.resolve(ProverState.CHALLENGE);
    try {
      if (Files.isRegularFile(file) && Files.size(file) <= MAX_CHALLENGE_BYTES) {
        return Json.read(file.toString(), Files.readAllBytes(file), Challenge.class).expires();
      }
    } catch (BadMessageException e) {
      // Not a challenge: such a state cannot be opened; its folder's time stands in.
    }
    return Pruning.modified(state);
  }
}
