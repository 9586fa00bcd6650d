package org.gpuattest.validator.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.archive.ArchiveKey;
import org.gpuattest.validator.archive.ArchiveRecord;
import org.gpuattest.validator.archive.ArchivedExchange;
import org.gpuattest.validator.archive.EvidenceArchive;
import picocli.CommandLine.Option;

/**
 * Where 'attest' and 'verify' keep the exchanges they decide (docs/protocol.md section 8.5).
 * The archive is checked writable, and the key that signs what it keeps read or created,
 * before any work ({@link #prepare}); failing to keep an exchange afterwards is the validator's
 * own fault: the verdict has been printed, the command ends with one line and exit 3, and no
 * part of the exchange's folder is left.
 */
final class ArchiveOptions {
  @Option(names = "--archive", paramLabel = "DIR",
      description = "Evidence archive: each exchange's messages and verdict are kept under"
          + " DIR, for 'validator reverify' (default: $GPU_ATTEST_HOME/validator/archive if"
          + " that is set, else"
          + " $HOME/.gpu-attest/validator/archive), signed with --signing-key if given, else"
          + " with the archive key kept beside the replay store, made on first use"
          + " (docs/protocol.md section 8.5).")
  Path archive;

  @Option(names = "--no-archive", description = "Keep no copy of the exchange.")
  boolean noArchive;

  @Option(names = "--provider", paramLabel = "NAME",
      description = "A label for who runs the prover, kept in the archive's record.json:"
          + " 1 to 64 letters, digits and . _ : @ + -.")
  String provider;

  /** The key exchanges are signed with; set by {@link #prepare} unless --no-archive. */
  private Ed25519PrivateKey key;
  /** The archive key's file, when {@link #prepare} created it; else null. */
  private Path created;

  /**
   * Checks the archive and readies the key that signs what it keeps (docs/protocol.md 8.5):
   * {@code signingKey} if given, else the archive key beside the replay store, created on
   * first use (one line says so once the exchange is kept).
   *
   * @param signingKey the command's --signing-key, or null
   * @param replayDir the replay store's folder, which the archive key sits beside
   * @param env where a new key's randomness comes from (a parameter of type SecureRandom
   *     would have picocli's reflection load it for '--help', StartupClassesTest)
   * @return the archive to keep the exchange in, found writable; empty with --no-archive
   * @throws BadMessageException --provider is not a label, --archive with --no-archive, or
   *     --signing-key is not a private key
   * @throws RuntimeFailureException the archive cannot be written, or the archive key cannot
   *     be read or created (exit 3)
   */
  Optional<EvidenceArchive> prepare(Path signingKey, Path replayDir, Environment env)
      throws BadMessageException, RuntimeFailureException {
    ArchiveRecord.checkProvider("--provider", provider);
    if (noArchive) {
      if (archive != null) {
        throw new BadMessageException("--no-archive: cannot be given with --archive DIR");
      }
      return Optional.empty();
    }
    EvidenceArchive a = archive == null ? EvidenceArchive.defaultArchive()
        : new EvidenceArchive(archive);
    try {
      a.checkUsable();
    } catch (IOException e) {
      throw new RuntimeFailureException("--archive: " + e.getMessage());
    }
    if (signingKey != null) {
      key = Ed25519PrivateKey.fromFile("--signing-key", signingKey);
      return Optional.of(a);
    }
    try {
      ArchiveKey.Loaded k = ArchiveKey.loadOrCreate(ArchiveKey.besideReplayStore(replayDir),
          env.random());
      key = k.key();
      // Said once the exchange is kept: a refusal before then stays one line.
      created = k.created() ? k.file() : null;
    } catch (IOException e) {
      throw new RuntimeFailureException("--archive: " + e.getMessage());
    }
    return Optional.of(a);
  }

  /** What one command decided, to be kept. */
  record Decided(String command, Session session, String openings, Verdict verdict,
      Instant verifiedAt, VerifyOptions.Prepared options, boolean weakTiming,
      ArchiveRecord.ProverFailureNote proverFailure, GpuProfiles profiles) {}

  /**
   * Keeps the exchange, after its verdict is printed. A replayed challenge (its verdict failed
   * challenge.replay) is never archived, and that is said on {@code err}: the archive keeps a
   * challenge's first verification, and a replay, which may finish before that first one is
   * archived or on another day, must neither take its place nor block it. The replay is the
   * prover's failure, exit 1, not the validator's.
   *
   * @return its folder; empty with --no-archive or for a replay
   * @throws RuntimeFailureException it could not be kept (exit 3): the validator's fault
   */
  Optional<Path> keep(Optional<EvidenceArchive> archive, Decided d, Instant now,
      PrintWriter err) throws RuntimeFailureException {
    if (archive.isEmpty()) {
      return Optional.empty();
    }
    boolean replay = d.verdict().checks().stream()
        .anyMatch(c -> c.name().equals("challenge.replay") && c.failed());
    if (replay) {
      err.println("validator: this replayed challenge is not archived: the archive keeps a"
          + " challenge's first verification only");
      err.flush();
      return Optional.empty();
    }
    String proverKey = d.options().options().pinnedProverKey().map(k -> k.toPem())
        .orElse(null);
    ArchiveRecord record = new ArchiveRecord(1,
        d.verdict().challengeId().toLowerCase(java.util.Locale.ROOT), d.command(),
        d.verifiedAt().toString(), now.toString(), ValidatorCli.version(), provider,
        new ArchiveRecord.Options(d.options().options().allowCpu(), d.weakTiming(), proverKey),
        d.proverFailure(),
        d.profiles().forModel(claimedModel(d.session())));
    try {
      Path folder = archive.get().keep(new ArchivedExchange(record, d.session(),
          d.openings(), d.verdict()), key);
      if (created != null) {
        err.println("validator: created the archive signing key " + created + " (key id "
            + key.publicKey().keyId() + "; its public half " + created.resolveSibling(
                ArchiveKey.PUBLIC_FILE) + " is for 'reverify' and 'fleet' on other hosts)");
        err.flush();
      }
      return Optional.of(folder);
    } catch (IOException e) {
      throw new RuntimeFailureException("--archive: " + e.getMessage() + "; the verdict"
          + " printed stands, but this exchange was not archived");
    }
  }

  /** The model the session's challenge claims: a challenge this validator issued decodes. */
  private static String claimedModel(Session s) throws RuntimeFailureException {
    try {
      return s.decodedChallenge().value().model();
    } catch (BadMessageException e) {
      throw new RuntimeFailureException("--archive: the session's own challenge does not"
          + " decode (" + e.getMessage() + "); this exchange was not archived");
    }
  }

  /** As {@link #keep}, saying where on {@code err} (attest's progress lines). */
  void keepAndSay(Optional<EvidenceArchive> archive, Decided d, Instant now, PrintWriter err)
      throws RuntimeFailureException {
    keep(archive, d, now, err).ifPresent(p -> {
      err.println("validator: exchange archived in " + p + ", signed by validator key "
          + key.publicKey().keyId());
      err.flush();
    });
  }
}
