package org.gpuattest.attestor.e2e;

import static org.gpuattest.attestor.e2e.BothTools.validator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.stream.Stream;
import org.gpuattest.attestor.e2e.BothTools.Result;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.archive.ArchiveRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evidence archive end to end: 'validator attest' against the real attestor (CPU backend,
 * the attest conversation) keeps a complete, signed exchange folder, and 'validator reverify'
 * of that folder passes, matches the recorded verdict and finds the signature good.
 */
class ArchiveEndToEndTest {
  static final String MODEL = "NVIDIA H100 80GB HBM3";
  @TempDir Path home;

  @Test
  void attest_archivesTheExchange_andReverifyMatches() throws Exception {
    Path archive = home.resolve("archive");
    Result r = validator("attest", "--prover", BothTools.proverCommand(home), "--allow-cpu",
        "--json", "--gpus", "2", "--model", MODEL, "--dim", "64", "--iterations", "2",
        "--replay-dir", home.resolve("replay").toString(), "--archive", archive.toString(),
        "--provider", "e2e");
    assertEquals(0, r.code(), r.err() + r.out());
    Verdict v = Json.read("verdict", r.out().getBytes(), Verdict.class);
    Path folder;
    try (Stream<Path> all = Files.walk(archive)) {
      folder = all.filter(p -> p.getFileName().toString().equals(v.challengeId()))
          .findFirst().orElseThrow();
    }
    assertTrue(r.err().contains("validator: exchange archived in " + folder), r.err());
    try (Stream<Path> files = Files.list(folder)) {
      assertEquals(List.of("openings.b64", "record.json", "session.json", "signature.json",
          "verdict.json"), files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    ArchiveRecord record = Json.read("record", Files.readAllBytes(folder.resolve(
        "record.json")), ArchiveRecord.class);
    assertEquals(ArchiveRecord.ATTEST, record.command());
    assertEquals(record.verifiedAt().substring(0, 10), folder.getParent().getFileName()
        .toString(), "the verdict's UTC date names the day folder");
    Session s = Json.read("session", Files.readAllBytes(folder.resolve("session.json")),
        Session.class);
    assertTrue(s.goSentAt() != null && s.samplingSeed() != null, "the conversation's session");
    assertEquals(r.out(), Files.readString(folder.resolve("verdict.json")));

    // The exchange is signed with the archive key made beside the replay store (8.5).
    Result again = validator("reverify", folder.toString(), "--json", "--validator-key",
        home.resolve("archive-key.pub.pem").toString());
    assertEquals(0, again.code(), again.err() + again.out());
    assertEquals(r.out(), again.out(), "the same verdict");
    assertTrue(again.err().contains("validator: matches the recorded verdict"), again.err());
    assertTrue(again.err().contains("(the seed's sending)"), again.err());
    assertTrue(again.err().contains("validator: signed by validator key "), again.err());
  }

  /**
   * A prover that commits and then fails at 'open' (a filter passes its ready, pongs and
   * commitment, and exits 3 at the openings): the verdict fails prover.exit at 'open', yet its
   * attestation names the signing key, and the fleet report, attributing by the signed
   * commitment the archived session holds, counts the failure against that prover, not
   * against "unknown".
   */
  @Test
  void attest_proverFailsAtOpen_verdictStillSaysWhoseCommitmentItWas() throws Exception {
    Path keyFile = home.resolve("prover.pem");
    Ed25519PrivateKey key = Ed25519PrivateKey.generate(new SecureRandom());
    Files.writeString(keyFile, key.toPem());
    // A shell loop, not awk: mawk reads a pipe in blocks and would hold the ready line back.
    // The commitment and the memory roots pass; the openings do not.
    Path failsAtOpen = home.resolve("fails-at-open.sh");
    Files.writeString(failsAtOpen, "#!/bin/sh\n" + BothTools.proverCommand(home) + " --signing-key '"
        + keyFile + "' \"$@\" | {\n"
        + "  n=0\n"
        + "  while IFS= read -r line; do\n"
        + "    case \"$line\" in\n"
        + "      'ready '*|'pong '*) ;;\n"
        + "      *) n=$((n + 1)); if [ $n -gt 2 ]; then exit 3; fi ;;\n"
        + "    esac\n"
        + "    printf '%s\\n' \"$line\"\n"
        + "  done\n"
        + "}\n");
    failsAtOpen.toFile().setExecutable(true);
    Path archive = home.resolve("archive");
    Result r = validator("attest", "--prover", failsAtOpen.toString(), "--allow-cpu", "--json",
        "--gpus", "1", "--model", MODEL, "--dim", "64", "--iterations", "2", "--replay-dir",
        home.resolve("replay").toString(), "--archive", archive.toString());
    assertEquals(1, r.code(), r.err() + r.out());
    Verdict v = Json.read("verdict", r.out().getBytes(), Verdict.class);
    assertEquals("fail", v.check("prover.exit").status(), r.out());
    assertTrue(r.err().contains("the prover failed at 'open'"), r.err());
    assertEquals(key.publicKey().keyId(), v.attestation().proverKeyId(), r.out());
    assertEquals(1, v.attestation().devices());

    Result fleet = validator("fleet", archive.toString(), "--json", "--validator-key",
        home.resolve("archive-key.pub.pem").toString());
    assertEquals(0, fleet.code(), fleet.err() + fleet.out());
    assertTrue(fleet.out().contains("\"provider\" : \"" + key.publicKey().keyId() + "\""),
        fleet.out());
    assertTrue(fleet.out().contains("\"by\" : \"key\""), fleet.out());
    assertTrue(fleet.out().contains("\"failed\" : 1"), fleet.out());
  }
}
