package org.gpuattest.validator.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.cpu.CpuKernels;
import org.gpuattest.common.cpu.CpuWork;
import org.gpuattest.common.message.Sample;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.MessageInput;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.Validator;
import org.gpuattest.validator.VerdictText;
import org.gpuattest.validator.archive.ArchiveRecord;
import org.gpuattest.validator.archive.EvidenceArchive;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "verify", description = {
    "Check the prover's openings and print the verdict, every check on its own line.",
    "Exit 0 when it passes, 1 when it fails. The exchange is then kept, signed, in",
    "the evidence archive (--archive); a replayed challenge is not (exit 1: the",
    "archive keeps its first verification). If archiving fails, the verdict is",
    "printed and the exit is 3."},
    exitCodeList = {"0:the verdict passed", "1:the verdict failed",
        ValidatorCli.EXIT_BAD_INPUT, ValidatorCli.EXIT_RUNTIME})
final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand ValidatorCli parent;
  @Mixin VerifyOptions verify;
  @Mixin ArchiveOptions archive;

  @Option(names = "--session", required = true, paramLabel = "FILE",
      description = "The session file, after 'validator sample'.")
  Path session;

  @Option(names = "--openings", required = true, paramLabel = "<B64|@file|->",
      description = "The prover's openings: base64 text, @file, or - for stdin.")
  String openings;

  @Option(names = "--signing-key", paramLabel = "FILE",
      description = "This validator's Ed25519 private key (PEM) to sign the archived exchange"
          + " with (default: the archive key beside the replay store; docs/protocol.md"
          + " section 8.5).")
  Path signingKey;

  @Override
  public Integer call() throws Exception {
    Environment env = parent.env;
    VerifyOptions.Prepared prepared = verify.prepare();
    Optional<EvidenceArchive> keptIn = archive.prepare(signingKey, prepared.replay().dir(),
        env);
    Session s = Session.load("--session", session);
    String text = MessageInput.read("openings", openings, parent.in);
    // One instant for the whole verification, recorded as the archive's verifiedAt, so a
    // re-verification with the clock fixed there repeats it (docs/protocol.md section 8.5).
    Instant at = env.clock().instant();
    kernelsFor(s);
    Verdict v = new Validator(env.profiles(), prepared.replay(), env.random(),
        Clock.fixed(at, ZoneOffset.UTC), prepared.threads())
        .verifyHandedOver(s, text, prepared.options());
    print(spec, v, verify.json);
    archive.keep(keptIn, new ArchiveOptions.Decided(ArchiveRecord.VERIFY, s, text, v, at,
        prepared, false, null, env.profiles()), env.clock().instant(), spec.commandLine().getErr());
    return v.passed() ? ExitCodes.OK : ExitCodes.REJECTED;
  }

  /**
   * The CPU kernels for this process's work, chosen before its first product: the plain kernel
   * for a verification too small to repay the vector kernel's warm-up (CpuKernels). The work
   * ({@link CpuWork}) is the sampled rows, each a row of A(g, t) times B(g), and the operands:
   * each sampled device's B(g) and the rows of A. A session without a request that decodes
   * has no rows to recompute (the verification then says what is wrong with it).
   */
  static CpuKernels kernelsFor(Session s) {
    List<Sample> samples;
    int n;
    try {
      n = s.decodedChallenge().value().dim();
      samples = s.decodedRequest().samples();
    } catch (BadMessageException e) {
      return CpuKernels.forWork(0);
    }
    long devices = samples.stream().mapToInt(Sample::device).distinct().count();
    long rows = samples.size();
    return CpuKernels.forWork(CpuWork.of(rows, n, devices * n * n + rows * n));
  }

  static void print(CommandSpec spec, Verdict v, boolean json) {
    var out = spec.commandLine().getOut();
    out.print(json ? Json.writeString(v) + "\n" : VerdictText.format(v));
    out.flush();
  }
}
