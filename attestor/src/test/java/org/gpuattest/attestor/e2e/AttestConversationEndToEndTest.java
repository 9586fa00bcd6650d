package org.gpuattest.attestor.e2e;

import static org.gpuattest.attestor.e2e.BothTools.validator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.gpuattest.attestor.e2e.BothTools.Result;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.archive.ArchiveRecord;
import org.gpuattest.validator.cli.ValidatorCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attest conversation (docs/protocol.md §3.2) against the real attestor: a prover on the
 * CPU backend is refused at its ready answer, before the seed leaves, when --allow-cpu is not
 * given; and a prover that floods its output after valid openings still gets its verdict,
 * printed and archived, from a validator with a small heap.
 */
class AttestConversationEndToEndTest {
  static final String MODEL = "NVIDIA H100 80GB HBM3";
  @TempDir Path home;

  private static Path exchangeFolder(Path archive, String challengeId) throws Exception {
    try (Stream<Path> all = Files.walk(archive)) {
      return all.filter(p -> p.getFileName().toString().equals(challengeId)).findFirst()
          .orElseThrow(() -> new AssertionError("no exchange " + challengeId + " archived"));
    }
  }

  @Test
  void attest_cpuProverWithoutAllowCpu_failsAtReadyNamingTheBackendWithoutGo() throws Exception {
    Path archive = home.resolve("archive");
    Result r = validator("attest", "--prover", BothTools.proverCommand(home) + " --debug",
        "--json", "--weak-timing", "--gpus", "1", "--model", MODEL, "--dim", "64",
        "--iterations", "2", "--replay-dir", home.resolve("replay").toString(),
        "--archive", archive.toString());
    assertEquals(1, r.code(), r.err() + r.out());
    Verdict v = Json.read("verdict", r.out().getBytes(), Verdict.class);
    Check first = v.checks().get(0);
    assertEquals("devices.backend", first.name());
    assertEquals(Check.FAIL, first.status());
    assertEquals("cpu", first.measured());
    // the 19 checks and the memory phase's two, the H100 profile having its figures
    assertEquals(21, v.checks().size(), "each check once");
    assertTrue(v.checks().stream().skip(1).allMatch(c -> c.status().equals(Check.SKIPPED)),
        r.out());
    assertTrue(r.err().contains("validator: the prover's ready answer fails devices.backend;"
        + " no 'go' was sent"), r.err());
    // Neither the seed nor the work: no go, no commitment computed.
    assertFalse(r.err().contains("seed sent"), r.err());
    assertTrue(r.err().contains("prover: attestor: ready: 1 device(s) allocated"), r.err());
    assertFalse(r.err().contains("attestor: committed"), r.err());

    Path folder = exchangeFolder(archive, v.challengeId());
    ArchiveRecord record = Json.read("record", Files.readAllBytes(folder.resolve(
        "record.json")), ArchiveRecord.class);
    assertEquals(new ArchiveRecord.ProverFailureNote("prepare", "devices.backend"),
        record.proverFailure());
    Result again = validator("reverify", folder.toString());
    assertEquals(1, again.code(), again.err() + again.out());
    assertTrue(again.err().contains("matches the recorded verdict"), again.err());
  }

  /**
   * The prover's shell runs 'yes' once the attestor has answered with its openings: the
   * validator, in a 64 MiB heap, must still verify, print, archive and exit with the verdict's
   * code (it kept every line the prover wrote, and ran out of memory).
   */
  @Test
  void attest_proverFloodsAfterItsOpenings_smallHeapStillGivesAndArchivesTheVerdict()
      throws Exception {
    Path flood = home.resolve("flood.sh");
    Files.writeString(flood, "#!/bin/sh\n" + BothTools.proverCommand(home) + " \"$@\"\nyes\n");
    Path archive = home.resolve("archive");
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
        "-Duser.home=" + home, "-cp", System.getProperty("java.class.path"),
        ValidatorCli.class.getName(), "attest", "--prover", "sh '" + flood + "'",
        "--allow-cpu", "--json", "--gpus", "1", "--model", MODEL, "--dim", "64",
        "--iterations", "2", "--replay-dir", home.resolve("replay").toString(),
        "--archive", archive.toString()));
    Path out = home.resolve("out");
    Path err = home.resolve("err");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
        .start();
    try {
      assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the validator did not exit");
    } finally {
      p.destroyForcibly();
    }
    String errText = Files.readString(err);
    assertEquals(0, p.exitValue(), errText);
    Verdict v = Json.read("verdict", Files.readAllBytes(out), Verdict.class);
    assertTrue(v.passed(), Files.readString(out));
    Path folder = exchangeFolder(archive, v.challengeId());
    assertEquals(Files.readString(out), Files.readString(folder.resolve("verdict.json")));
    assertTrue(errText.contains("validator: exchange archived in "), errText);
  }
}
