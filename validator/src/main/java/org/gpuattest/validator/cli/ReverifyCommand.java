package org.gpuattest.validator.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.VerificationException;
import org.gpuattest.validator.Workers;
import org.gpuattest.validator.archive.ArchiveTrust;
import org.gpuattest.validator.archive.ArchivedExchange;
import org.gpuattest.validator.archive.ArchivedFiles;
import org.gpuattest.validator.archive.Reverifier;
import org.gpuattest.validator.check.Evidence;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
    "record without them). The validator's signature (signature.json) is checked",
    "too: whether a trusted validator key (--validator-key) signed the exchange and",
    "no file changed since. Nothing is written. Exit 0 when it is signed by a",
    "trusted key and unaltered (or unsigned, with --allow-unsigned), passes and",
    "matches the record; 1 when it fails or differs, the prover had failed, or it",
    "is unsigned, signed by another key or altered; 2 when DIR or one of its files",
    "is unreadable or malformed (the file is named)."},
    exitCodeList = {"0:it passes, matches its record and is authentic (or unsigned, with"
            + " --allow-unsigned)",
        "1:it fails, differs from its record, the prover had failed, or it is not authentic",
        ValidatorCli.EXIT_BAD_INPUT, ValidatorCli.EXIT_RUNTIME})
final class ReverifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand ValidatorCli parent;

  @Parameters(index = "0", paramLabel = "DIR", description = "One exchange folder.")
  Path dir;

  @Option(names = "--json", description = "Print the verdict as JSON.")
  boolean json;

  @Mixin ArchiveTrustOptions trust;

  private static final String UNSIGNED = "validator: UNSIGNED: there is no "
      + ArchivedExchange.SIGNATURE + "; accepted with --allow-unsigned, but nothing shows which"
      + " validator wrote it or that it is unchanged";

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    ArchiveTrust trusted = trust.trust();
    ArchivedFiles files = ArchivedFiles.read(dir);
    ArchivedExchange x = ArchivedExchange.parse(files);
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
    String authenticity;
    boolean authentic;
    try {
      Optional<String> signer = trusted.verify(files);
      authentic = true;
      authenticity = signer.map(k -> "validator: signed by validator key " + k + " (trusted);"
          + " no file has changed since").orElse(UNSIGNED);
    } catch (VerificationException e) {
      authentic = false;
      authenticity = "validator: NOT AUTHENTIC: " + e.getMessage();
    }
    if (o.matches()) {
      err.println("validator: matches the recorded verdict" + (authentic ? ""
          : ", but the record is not authentic (below)"));
    } else {
      err.println("validator: differs from the recorded verdict:");
      o.differences().forEach(d -> err.println("validator:   " + d));
    }
    err.println(authenticity);
    err.flush();
    return o.passed() && authentic ? ExitCodes.OK : ExitCodes.REJECTED;
  }
}
