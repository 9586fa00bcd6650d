package org.gpuattest.validator.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.validator.archive.ArchiveKey;
import org.gpuattest.validator.archive.ArchiveTrust;
import picocli.CommandLine.Option;

/**
 * Which validators' archived exchanges 'reverify' and 'fleet' believe (docs/protocol.md
 * section 8.5): the keys given, else this host's archive key.
 */
final class ArchiveTrustOptions {
  @Option(names = "--validator-key", paramLabel = "FILE",
      description = "Trust exchanges signed by this validator public key (PEM: what"
          + " 'validator keygen' printed for --signing-key, or " + ArchiveKey.PUBLIC_FILE
          + "); repeatable (default: this host's archive key, $GPU_ATTEST_HOME/validator/"
          + ArchiveKey.FILE + ", else $HOME/.gpu-attest/validator/" + ArchiveKey.FILE + ").")
  List<Path> validatorKeys;

  @Option(names = "--allow-unsigned",
      description = "Accept exchanges archived without a signature (before archives were"
          + " signed); each is said to be unsigned.")
  boolean allowUnsigned;

  /**
   * @throws BadMessageException a --validator-key file is missing or not a public key (exit 2)
   * @throws RuntimeFailureException this host's archive key exists but cannot be read (exit 3)
   */
  ArchiveTrust trust() throws BadMessageException, RuntimeFailureException {
    List<Ed25519PublicKey> keys = new ArrayList<>();
    if (validatorKeys != null && !validatorKeys.isEmpty()) {
      for (Path p : validatorKeys) {
        keys.add(Ed25519PublicKey.fromFile("--validator-key", p));
      }
      return new ArchiveTrust(keys, allowUnsigned, "--validator-key");
    }
    Path file = ArchiveKey.defaultFile();
    Path pub = file.resolveSibling(ArchiveKey.PUBLIC_FILE);
    try {
      if (Files.exists(file)) {
        keys.add(ArchiveKey.read(file).publicKey());
      } else if (Files.exists(pub)) {
        keys.add(Ed25519PublicKey.fromFile("archive key", pub));
      } else {
        return new ArchiveTrust(keys, allowUnsigned, "there is no archive key " + file
            + " on this host");
      }
    } catch (IOException | BadMessageException e) {
      throw new RuntimeFailureException("this host's archive key: " + e.getMessage());
    }
    return new ArchiveTrust(keys, allowUnsigned, "this host's archive key " + file);
  }
}
