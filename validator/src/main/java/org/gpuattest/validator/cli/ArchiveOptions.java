package org.gpuattest.validator.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.archive.ArchiveRecord;
import org.gpuattest.validator.archive.ArchivedExchange;
import org.gpuattest.validator.archive.EvidenceArchive;
import picocli.CommandLine.Option;

/**
 * Where 'attest' and 'verify' keep the exchanges they decide (docs/protocol.md section 8.5).
 * The archive is checked writable before any work ({@link #prepare}); failing to keep an
 * exchange afterwards is the validator's own fault: the verdict has been printed, the command
 * ends with one line and exit 3, and no part of the exchange's folder is left.
 */
final class ArchiveOptions {
  @Option(names = "--archive", paramLabel = "DIR",
      description = "Evidence archive: each exchange's messages and verdict are kept under"
          + " DIR, for 'validator reverify' (default: $GPU_ATTEST_HOME/validator/archive if"
          + " that is set, else"
          + " $HOME/.gpu-attest/validator/archive).")
  Path archive;

  @Option(names = "--no-archive", description = "Keep no copy of the exchange.")
  boolean noArchive;

  @Option(names = "--provider", paramLabel = "NAME",
      description = "A label for who runs the prover, kept in the archive's record.json:"
          + " 1 to 64 letters, digits and . _ : @ + -.")
  String provider;

  /**
   * @return the archive to keep the exchange in, found writable; empty with --no-archive
   * @throws BadMessageException --provider is not a label, or --archive with --no-archive
   * @throws RuntimeFailureException the archive cannot be written (exit 3)
   */
  Optional<EvidenceArchive> prepare() throws BadMessageException, RuntimeFailureException {
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
        d.verifiedAt().toString(), now.toString(), ValidatorCli.VERSION, provider,
        new ArchiveRecord.Options(d.options().options().allowCpu(), d.weakTiming(), proverKey),
        d.proverFailure(),
        d.profiles().forModel(claimedModel(d.session())));
    try {
      return Optional.of(archive.get().keep(new ArchivedExchange(record, d.session(),
          d.openings(), d.verdict())));
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
      err.println("validator: exchange archived in " + p);
      err.flush();
    });
  }
}
