package org.gpuattest.validator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;
import org.gpuattest.common.util.AtomicFiles;
import org.gpuattest.common.util.Hex;
import org.gpuattest.common.util.Pruning;

/**
 * The challenge ids a validator host has already verified, one small file per id in a folder.
 * Claiming an id creates its file with CREATE_NEW, which the file system makes atomic, so two
 * validators on one host cannot both accept the same challenge, and the record survives
 * restarts. A store that cannot be written is the validator's own fault: it is reported as an
 * {@link IOException}, never as a failed check of the prover, and {@link #checkUsable} finds it
 * before any work is asked of a prover.
 */
public final class ReplayStore implements ReplayGuard {
  /** The entries claim writes: the challenge id, lower-case. */
  private static final Pattern ID_FILE = Pattern.compile("[0-9a-f]{32}");
  private final Path dir;
  private final Opener opener;

  /** Creates a marker file that must not exist yet (the seam a test fails writes through). */
  interface Opener {
    SeekableByteChannel createNew(Path marker) throws IOException;
  }

  public ReplayStore(Path dir) {
    this(dir, marker -> Files.newByteChannel(marker, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE));
  }

  ReplayStore(Path dir, Opener opener) {
    this.dir = dir;
    this.opener = opener;
  }

  public static ReplayStore defaultStore() {
    return new ReplayStore(AtomicFiles.home().resolve("validator").resolve("used-challenges"));
  }

  public Path dir() {
    return dir;
  }

  /** @throws IOException when ids cannot be recorded here, saying why */
  public void checkUsable() throws IOException {
    AtomicFiles.probeWritable("replay store", dir);
  }

  /**
   * Removes the entries of ids claimed more than {@code days} ago: the claim time each entry
   * holds, else its file's time. Only files named by 32 lower-case hex digits are touched.
   *
   * @param days at least {@link Pruning#MIN_PROTECTED_DAYS}: a younger entry may name a
   *     challenge that is still valid, and removing it would let it be verified twice
   */
  public Pruning.Tally prune(Instant now, int days, boolean dryRun) throws IOException {
    if (days < Pruning.MIN_PROTECTED_DAYS) {
      throw new IllegalArgumentException("replay-store entries are kept at least "
          + Pruning.MIN_PROTECTED_DAYS + " days, got " + days);
    }
    Pruning.Tally t = new Pruning.Tally("replay store", dir, "entries", dryRun);
    Instant cutoff = Pruning.cutoff(now, days);
    for (Path p : Pruning.entries(t, dir)) {
      if (!ID_FILE.matcher(p.getFileName().toString()).matches()
          || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        t.ignored(p, "not a used-challenge entry");
        continue;
      }
      try {
        if (claimedAt(p).isBefore(cutoff)) {
          t.removed(Pruning.removeFile(p, dryRun));
        } else {
          t.kept();
        }
      } catch (IOException e) {
        t.ignored(p, Pruning.unreadable(e)); // named and kept; the others are still pruned
      }
    }
    return t;
  }

  /** The instant {@link #claim} wrote, else the file's time. */
  private static Instant claimedAt(Path entry) throws IOException {
    if (Files.size(entry) <= 64) {
      try {
        return Instant.parse(Files.readString(entry, StandardCharsets.US_ASCII).strip());
      } catch (DateTimeParseException | java.nio.charset.CharacterCodingException e) {
        // Not written by claim: fall back to the file's time.
      }
    }
    return Pruning.modified(entry);
  }

  /**
   * Marks the id used.
   *
   * @return true if this call claimed it, false if it was used before
   * @throws IOException the store cannot be written
   */
  @Override
  public boolean claim(String challengeIdHex, Instant now) throws IOException {
    Hex.decode("challenge id", challengeIdHex, 16); // no path tricks: 32 hex digits only
    Path marker = dir.resolve(challengeIdHex.toLowerCase(Locale.ROOT));
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw unwritable(challengeIdHex, e);
    }
    SeekableByteChannel out;
    try {
      out = opener.createNew(marker);
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      throw unwritable(challengeIdHex, e);
    }
    // Created: the id is ours. If its claim time cannot be written and kept (a full disk),
    // the marker goes again, so that the claim fails as the validator's own fault and the
    // same session verifies once the store is fixed, instead of a half-written marker
    // failing challenge.replay later, as if the prover had replayed it.
    try (out) {
      ByteBuffer text = ByteBuffer.wrap((now + "\n").getBytes(StandardCharsets.UTF_8));
      while (text.hasRemaining()) {
        out.write(text);
      }
      if (out instanceof FileChannel file) {
        file.force(true); // survives a power loss once claim returns
      }
    } catch (IOException e) {
      try {
        Files.deleteIfExists(marker);
      } catch (IOException gone) {
        e.addSuppressed(gone);
      }
      throw unwritable(challengeIdHex, e);
    }
    return true;
  }

  private IOException unwritable(String challengeIdHex, IOException e) {
    return new IOException("cannot record challenge " + challengeIdHex + " in the replay store "
        + dir + " (" + AtomicFiles.describe(e) + ")", e);
  }
}
