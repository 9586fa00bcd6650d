package org.gpuattest.validator.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.gpuattest.common.util.Pruning;
import org.gpuattest.validator.ReplayStore;
import org.gpuattest.validator.archive.ArchivePruner;
import org.gpuattest.validator.archive.EvidenceArchive;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "prune", description = {
    "Remove archived exchanges and replay-store entries older than some days.",
    "An exchange's age is its record's verifiedAt; an entry's, when its challenge",
    "id was used. Replay-store entries are kept at least "
        + Pruning.MIN_PROTECTED_DAYS + " days (the longest",
    "challenge lifetime, 7 days, and a day's margin): removing one sooner could let",
    "a challenge that is still valid be verified twice, so fewer days are refused",
    "unless --archive-only is given. Only what the validator wrote is removed;",
    "anything else is listed as left alone. What was removed is printed on stdout."},
    exitCodeList = {ValidatorCli.EXIT_OK, ValidatorCli.EXIT_BAD_INPUT, ValidatorCli.EXIT_RUNTIME})
final class PruneCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand ValidatorCli parent;

  @Option(names = "--older-than", required = true, paramLabel = "DAYS",
      description = "Remove what is older than DAYS days.")
  long days;

  @Option(names = "--archive", paramLabel = "DIR",
      description = "The evidence archive (default: $GPU_ATTEST_HOME/validator/archive if"
          + " that is set, else"
          + " $HOME/.gpu-attest/validator/archive).")
  Path archive;

  @Option(names = "--replay-dir", paramLabel = "DIR",
      description = "Store of used challenge ids (default: $GPU_ATTEST_HOME/validator/"
          + "used-challenges, else $HOME/.gpu-attest/validator/used-challenges).")
  Path replayDir;

  @Option(names = "--archive-only",
      description = "Prune the evidence archive only; the replay store is left as it is.")
  boolean archiveOnly;

  @Option(names = "--dry-run", description = "Say what would be removed; remove nothing.")
  boolean dryRun;

  @Override
  public Integer call() throws Exception {
    int d = archiveOnly ? Pruning.days("--older-than", days, 0, null)
        : Pruning.days("--older-than", days, Pruning.MIN_PROTECTED_DAYS,
            "replay-store entries are kept at least " + Pruning.MIN_PROTECTED_DAYS
                + " days (a challenge lives up to 7); add --archive-only to prune the"
                + " archive alone");
    if (archiveOnly && replayDir != null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--replay-dir: not pruned with --archive-only");
    }
    Instant now = parent.env.clock().instant();
    List<Pruning.Tally> tallies = new ArrayList<>();
    Path root = archive != null ? archive : EvidenceArchive.defaultArchive().root();
    tallies.add(ArchivePruner.prune(root, now, d, dryRun));
    if (!archiveOnly) {
      ReplayStore replay = replayDir != null ? new ReplayStore(replayDir)
          : ReplayStore.defaultStore();
      tallies.add(replay.prune(now, d, dryRun));
    }
    PrintWriter out = spec.commandLine().getOut();
    tallies.forEach(t -> t.lines().forEach(out::println));
    out.flush();
    return 0;
  }
}
