package org.gpuattest.validator.archive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.util.AtomicFiles;

/**
 * The key a validator signs its archived exchanges with when it is given none
 * (docs/protocol.md section 8.5): {@value #FILE} beside its replay store, created on first use
 * (PEM, mode 0600), with its public half in {@value #PUBLIC_FILE} to hand to whoever checks the
 * archive elsewhere. It lives beside the replay store, not in the archive: whoever may write the
 * archive must not thereby hold the key that vouches for it.
 */
public final class ArchiveKey {
  public static final String FILE = "archive-key.pem";
  public static final String PUBLIC_FILE = "archive-key.pub.pem";

  private ArchiveKey() {}

  /** A key, and whether this call created it. */
  public record Loaded(Ed25519PrivateKey key, Path file, boolean created) {}

  /** The key file beside the replay store {@code replayDir}. */
  public static Path besideReplayStore(Path replayDir) {
    return replayDir.toAbsolutePath().resolveSibling(FILE);
  }

  /**
   * The key file beside the default replay store: $GPU_ATTEST_HOME/validator/archive-key.pem,
   * else ~/.gpu-attest/validator/archive-key.pem.
   */
  public static Path defaultFile() {
    return AtomicFiles.home().resolve("validator").resolve(FILE);
  }

  /**
   * Reads the key at {@code file}, or creates it there. Two validators creating it at once
   * both end up with the one that was linked into place first.
   *
   * @throws IOException the key cannot be created, or the file there is not an Ed25519 private
   *     key: the validator's own fault
   */
  public static Loaded loadOrCreate(Path file, SecureRandom random) throws IOException {
    boolean created = false;
    if (!Files.exists(file)) {
      Ed25519PrivateKey fresh = Ed25519PrivateKey.generate(random);
      try {
        AtomicFiles.createAtomically(file, fresh.toPem().getBytes(StandardCharsets.US_ASCII),
            true);
        created = true;
      } catch (FileAlreadyExistsException e) {
        // Another validator created it meanwhile: use theirs.
      } catch (IOException e) {
        throw new IOException("cannot create the archive signing key " + file + " ("
            + AtomicFiles.describe(e) + ")", e);
      }
    }
    Ed25519PrivateKey key = read(file);
    Path pub = file.resolveSibling(PUBLIC_FILE);
    if (created || !Files.exists(pub)) {
      try {
        AtomicFiles.writeAtomically(pub, key.publicKey().toPem().getBytes(
            StandardCharsets.US_ASCII), false);
      } catch (IOException e) {
        throw new IOException("cannot write the archive key's public half " + pub + " ("
            + AtomicFiles.describe(e) + ")", e);
      }
    }
    return new Loaded(key, file, created);
  }

  /** @throws IOException the file is missing or not an Ed25519 private key */
  public static Ed25519PrivateKey read(Path file) throws IOException {
    try {
      return Ed25519PrivateKey.fromFile("archive signing key", file);
    } catch (BadMessageException e) {
      throw new IOException(e.getMessage(), e);
    }
  }
}
