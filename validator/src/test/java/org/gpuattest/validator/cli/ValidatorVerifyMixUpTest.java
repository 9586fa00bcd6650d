package org.gpuattest.validator.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Openings;
import org.gpuattest.validator.cli.ValidatorCliHarness.Result;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'validator verify --session A --openings @B's-openings': an operator's mix-up of two
 * sessions is bad input (exit 2, both digests of each side named), refused before the replay id
 * is claimed or anything archived, as 'sample' refuses another challenge's commitment; the
 * right openings then still pass. (In 'attest' the prover itself answers, so the same openings
 * fail challenge.binding: AttackTest's.)
 */
class ValidatorVerifyMixUpTest {
  @TempDir Path dir;
  private ArchiveFixture a;
  private ArchiveFixture b;

  @BeforeEach
  void twoExchanges() throws Exception {
    a = new ArchiveFixture(Files.createDirectory(dir.resolve("a")));
    b = new ArchiveFixture(Files.createDirectory(dir.resolve("b")));
  }

  @Test
  void verify_anotherSessionsOpenings_exit2NamingBothDigestsNothingRecorded()
      throws Exception {
    byte[] session = Files.readAllBytes(a.session);
    Result r = ArchiveFixture.runAt(ArchiveFixture.VERIFIED, "verify", "--session",
        a.session.toString(), "--openings", b.openings, "--allow-cpu", "--replay-dir",
        a.replay.toString(), "--archive", a.archive.toString());
    r.assertBadInput("openings: they answer another exchange");
    OpeningRequest asked = a.saved().decodedRequest();
    Openings given = MessageCodec.decode("openings", b.openings, Openings.class).value();
    for (String digest : List.of(given.challengeDigest(), given.commitmentDigest(),
        asked.challengeDigest(), asked.commitmentDigest())) {
      assertTrue(r.err().contains(digest.substring(0, 16)), r.describe());
    }
    assertTrue(r.err().indexOf(given.challengeDigest().substring(0, 16))
        < r.err().indexOf(asked.challengeDigest().substring(0, 16)),
        "the openings' digests first, then the session's: " + r.err());
    assertEquals(List.of(), entries(a.replay), "no challenge id claimed");
    assertFalse(Files.exists(a.archive) && !entries(a.archive).isEmpty(), "nothing archived");
    assertArrayEquals(session, Files.readAllBytes(a.session));

    a.verify().assertOk();
    b.verify().assertOk();
  }

  /** Right challenge, another commitment (the prover's other run, say): refused the same way. */
  @Test
  void verify_openingsOfAnotherCommitment_exit2() throws Exception {
    Openings o = MessageCodec.decode("openings", a.openings, Openings.class).value();
    Openings other = new Openings(o.version(), o.challengeDigest(),
        "00".repeat(32), o.openings());
    ArchiveFixture.runAt(ArchiveFixture.VERIFIED, "verify", "--session", a.session.toString(),
        "--openings", MessageCodec.encode(other), "--allow-cpu", "--replay-dir",
        a.replay.toString(), "--no-archive").assertBadInput("commitment digest 0000000000000000");
    assertEquals(List.of(), entries(a.replay), "no challenge id claimed");
    a.verify().assertOk();
  }

  private static List<Path> entries(Path folder) throws IOException {
    if (!Files.exists(folder)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
    }
  }
}
