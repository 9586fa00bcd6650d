package org.gpuattest.attestor.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.gpuattest.attestor.StatePruner;
import org.gpuattest.common.util.Pruning;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "prune", description = {
    "Remove prover state of challenges that expired more than some days ago.",
    "A state is what 'open' needs of a 'prove'. A validator may ask for openings up",
    "to 7 days after the challenge expired, so state is kept at least "
        + Pruning.MIN_PROTECTED_DAYS + " days",
    "after expiry and fewer days are refused. Only state folders 'prove' wrote are",
    "removed; anything else is listed as left alone. What was removed is printed on",
    "stdout."},
    exitCodeList = {AttestorCli.EXIT_OK, AttestorCli.EXIT_BAD_INPUT, AttestorCli.EXIT_RUNTIME})
final class PruneCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand AttestorCli parent;

  @Option(names = "--older-than", required = true, paramLabel = "DAYS",
      description = "Remove state whose challenge expired more than DAYS days ago.")
  long days;

  @Option(names = "--state", paramLabel = "DIR",
      description = "Prover state folder used by 'prove' (same default).")
  Path state;

  @Option(names = "--dry-run", description = "Say what would be removed; remove nothing.")
  boolean dryRun;

  @Override
  public Integer call() throws Exception {
    int d = Pruning.days("--older-than", days, Pruning.MIN_PROTECTED_DAYS,
        "prover state is kept at least " + Pruning.MIN_PROTECTED_DAYS + " days after its"
            + " challenge expired (a validator may ask for openings up to 7 days after)");
    Path root = StateOption.orDefault(state != null ? state : parent.state);
    PrintWriter out = spec.commandLine().getOut();
    StatePruner.prune(root, Instant.now(), d, dryRun).lines().forEach(out::println);
    out.flush();
    return 0;
  }
}
