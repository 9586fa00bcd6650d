package org.gpuattest.validator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.archive.ArchiveKey;
import org.gpuattest.validator.archive.ArchiveSigner;
import org.gpuattest.validator.attack.Harness;
import org.gpuattest.validator.attack.TestProver;
import org.gpuattest.validator.cli.ValidatorCliHarness.Result;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'validator reverify' checks the validator's signature over an archived exchange
 * (docs/protocol.md section 8.5): one tamper per attack, each an exit 1 whose last line says
 * plainly what is wrong, even where the re-verification alone would match the record.
 */
class ValidatorReverifyAuthenticityTest {
  @TempDir Path dir;
  private ArchiveFixture x;
  private Path folder;
  private String keyId;

  @BeforeEach
  void archived() throws Exception {
    x = new ArchiveFixture(dir);
    x.verify().assertOk();
    folder = x.folder();
    keyId = ArchiveKey.read(x.archiveKey()).publicKey().keyId();
  }

  private Result reverify(String... extra) {
    return x.reverifyAt(ArchiveFixture.VERIFIED.plusSeconds(86_400), extra);
  }

  private static String lastLine(Result r) {
    List<String> lines = r.err().lines().toList();
    return lines.get(lines.size() - 1);
  }

  private void edit(String file, String regex, String to) throws Exception {
    Path p = folder.resolve(file);
    String before = Files.readString(p);
    String after = before.replaceFirst(regex, to);
    assertFalse(after.equals(before), regex + " in " + before);
    Files.writeString(p, after);
  }

  private String altered() {
    return "validator: NOT AUTHENTIC: altered since validator key " + keyId + " signed it: ";
  }

  /**
   * The model's rate edited in the record: timing is not checked for this CPU run, so the
   * verdict made again still matches the record; only the signature shows the edit.
   */
  @Test
  void profileRateEdited_matchesButIsNotAuthentic_exit1() throws Exception {
    edit("record.json", "\"canonicalTflops\" : [0-9.eE+-]+", "\"canonicalTflops\" : 0.5");
    Result r = reverify();
    assertEquals(ExitCodes.REJECTED, r.code(), r.describe());
    assertTrue(r.out().contains("verdict: PASS"), r.out());
    assertTrue(r.err().contains("validator: matches the recorded verdict, but the record is"
        + " not authentic (below)"), r.err());
    assertTrue(lastLine(r).startsWith(altered() + "record.json has SHA-256 "), r.err());
    r.assertNoStackTrace();
  }

  @Test
  void arrivalTimeEdited_exit1NamingSessionJson() throws Exception {
    edit("session.json", "\"receivedAt\" : \"[^\"]+\"", "\"receivedAt\" : \""
        + ArchiveFixture.SAMPLED.minusSeconds(5) + "\"");
    Result r = reverify();
    assertEquals(ExitCodes.REJECTED, r.code(), r.describe());
    String last = lastLine(r);
    assertTrue(last.startsWith(altered() + "session.json has SHA-256 "), last);
    assertTrue(last.matches(".*session.json has SHA-256 [0-9a-f]{64}, the signed one"
        + " [0-9a-f]{64}$"), last);
  }

  @Test
  void allowCpuFlipped_exit1NamingRecordJson() throws Exception {
    edit("record.json", "\"allowCpu\" : true", "\"allowCpu\" : false");
    Result r = reverify();
    assertEquals(ExitCodes.REJECTED, r.code(), r.describe());
    assertTrue(lastLine(r).startsWith(altered() + "record.json has SHA-256 "), r.err());
  }

  @Test
  void commitmentResignedWithAnotherKey_exit1NamingSessionJson() throws Exception {
    Session s = x.saved();
    TestProver other = new TestProver(Harness.key("another prover"), TestProver.Hardware.CPU,
        TestProver.Cheats.HONEST, GpuProfiles.bundled());
    String commitment = MessageCodec.encode(other.commit(s.decodedChallenge()));
    Files.write(folder.resolve("session.json"), Json.write(new Session(s.version(),
        s.challenge(), s.issuedAt(), commitment, s.receivedAt(), s.samplingSeed(), s.request(),
        s.goSentAt(), s.roundTripNanos())));
    Result r = reverify();
    assertEquals(ExitCodes.REJECTED, r.code(), r.describe());
    assertTrue(lastLine(r).startsWith(altered() + "session.json has SHA-256 "), r.err());
  }

  /** Someone with write access alters the exchange and signs it again with their own key. */
  @Test
  void resignedWithAnotherValidatorKey_exit1SayingItIsNotTrusted() throws Exception {
    edit("record.json", "\"allowCpu\" : true", "\"allowCpu\" : false");
    Ed25519PrivateKey theirs = Harness.key("someone with write access");
    ArchiveSigner.sign(folder, theirs);
    Result r = reverify();
    assertEquals(ExitCodes.REJECTED, r.code(), r.describe());
    assertEquals("validator: NOT AUTHENTIC: signed by validator key "
        + theirs.publicKey().keyId() + ", which is not trusted here (trusted: " + keyId
        + ", from --validator-key)", lastLine(r));
  }

  /** Without --validator-key, this host's archive key is the one trusted: not this one. */
  @Test
  void noValidatorKey_trustsThisHostsKeyOnly_exit1() {
    Result r = ArchiveFixture.runAt(ArchiveFixture.VERIFIED, "reverify", folder.toString());
    assertEquals(ExitCodes.REJECTED, r.code(), r.describe());
    assertTrue(lastLine(r).startsWith("validator: NOT AUTHENTIC: signed by validator key "
        + keyId + ", which is not trusted here ("), r.err());
  }

  @Test
  void unsigned_exit1_unlessAllowed_thenSaidToBeUnsigned() throws Exception {
    Files.delete(folder.resolve("signature.json"));
    Result r = reverify();
    assertEquals(ExitCodes.REJECTED, r.code(), r.describe());
    assertTrue(lastLine(r).startsWith("validator: NOT AUTHENTIC: unsigned: there is no"
        + " signature.json"), r.err());
    Result allowed = reverify("--allow-unsigned").assertOk();
    assertTrue(lastLine(allowed).startsWith("validator: UNSIGNED: there is no signature.json;"
        + " accepted with --allow-unsigned"), allowed.err());
  }

  /** signature.json as docs/protocol.md 8.5 describes it, made without the validator's code. */
  @Test
  void signatureMadeFromTheSpec_isAccepted() throws Exception {
    ArchiveSigner.sign(folder, ArchiveKey.read(x.archiveKey()));
    reverify().assertOk();
  }

  @Test
  void validatorKeyMissing_exit2NamingTheOption() {
    reverify("--validator-key", dir.resolve("absent.pem").toString())
        .assertBadInput("--validator-key");
  }
}
