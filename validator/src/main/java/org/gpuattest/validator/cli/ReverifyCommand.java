package org.gpuattest.validator.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.validator.Workers;
import org.gpuattest.validator.archive.ArchivedExchange;
import org.gpuattest.validator.archive.Reverifier;
import org.gpuattest.validator.check.Evidence;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "reverify", description = {
    "Re-check one archived exchange offline and compare it with its record.",
    "DIR is one exchange folder of the evidence archive, ARCHIVE/<date>/<id>. The",
    "opening request is re-derived from the recorded sampling seed and commitment,",
    "and every check runs again on the recorded messages. The clock is not",
    "re-measured: its readings come from the record, and challenge.replay is as",
    "recorded (docs/protocol.md section 8.5). The GPU profile bounds are the ones",
    "the record kept, not this validator's table (--profiles applies only to a",
    "record without them). Nothing is written. Exit 0 when it",
    "passes and matches the record; 1 when it fails or differs, or the prover had",
    "failed; 2 when DIR or one of its files is unreadable or malformed (the file",
    "is named)."})
final class ReverifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand ValidatorCli parent;

  @Parameters(index = "0", paramLabel = "DIR", description = "One exchange folder.")
  Path dir;

  @Option(names = "--json", description = "Print the verdict as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    ArchivedExchange x = ArchivedExchange.read(dir);
    int threads = Math.min(Runtime.getRuntime().availableProcessors(), Workers.MAX_THREADS);
    VerifyCommand.kernelsFor(x.session());
    Reverifier.Outcome o = new Reverifier(parent.env.profiles(), threads).reverify(x);
    VerifyCommand.print(spec, o.verdict(), json);
    Evidence.ClockStart start = x.session().clockStart();
    if (o.proverFailed()) {
      err.printf("validator: the prover failed at '%s' (%s): nothing to re-check beyond the"
          + " recorded failure%n", x.record().proverFailure().step(),
          x.record().proverFailure().check());
    } else {
      err.printf("validator: the clock was not re-measured: the verdict's time %s, the"
          + " commitment's arrival %s and the clock's start %s are the record's;"
          + " challenge.replay is as recorded%n", x.record().verifiedAt(),
          x.session().receivedAt(), start.at() + (start.startupOutside()
              ? " (the seed's sending)" : " (the challenge's issue)"));
      err.println(x.record().profiles() != null
          ? "validator: held to the GPU profile bounds the record kept"
          : "validator: the record keeps no GPU profile bounds: held to this validator's"
              + " table");
    }
    if (o.matches()) {
      err.println("validator: matches the recorded verdict");
    } else {
      err.println("validator: differs from the recorded verdict:");
      o.differences().forEach(d -> err.println("validator:   " + d));
    }
    err.flush();
    return o.passed() ? ExitCodes.OK : ExitCodes.REJECTED;
  }
}
