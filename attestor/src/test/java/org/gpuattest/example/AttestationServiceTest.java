package org.gpuattest.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Optional;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.ChallengeIssuer;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.check.Evidence;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/library.md's example, run against the real attestor in a JVM of its own: an honest
 * prover passes; one signing with a key other than the pinned one, and one that exits, fail;
 * a request for a model the profiles lack is the caller's error. The example in the document
 * is the compiled file, character for character.
 */
class AttestationServiceTest {
  private static final String MODEL = "NVIDIA H100 80GB HBM3";
  /** Surefire runs in the module directory. */
  private static final Path SOURCE =
      Path.of("src", "test", "java", "org", "gpuattest", "example", "AttestationService.java");
  private static final Path LIBRARY_MD = Path.of("..", "docs", "library.md");

  @TempDir Path home;
  private final StringWriter log = new StringWriter();
  private final Ed25519PrivateKey proverKey = Ed25519PrivateKey.generate(new SecureRandom());
  private AttestationService service;

  /** A CPU prover is accepted (no GPU here); the prover's key is pinned. */
  @BeforeEach
  void service() throws Exception {
    service = new AttestationService(GpuProfiles.bundled(), home.resolve("replay"),
        new Evidence.Options(true, Optional.of(proverKey.publicKey())), new PrintWriter(log));
  }

  /** The attestor as a command line, signing with {@code key}: this JVM's class path. */
  private String prover(Ed25519PrivateKey key) throws Exception {
    Path pem = Files.createTempFile(home, "prover", ".pem");
    Files.writeString(pem, key.toPem());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return "'" + java + "' -cp '" + System.getProperty("java.class.path") + "' "
        + "org.gpuattest.attestor.cli.AttestorCli --backend cpu --signing-key '" + pem
        + "' --state '" + home.resolve("state") + "'";
  }

  /** One GPU's worth, small enough for a CPU prover; weak timing, as --allow-cpu implies. */
  private static ChallengeIssuer.Request small() {
    return ChallengeIssuer.Request.builder().gpus(1).model(MODEL).dim(64).iterations(2)
        .samples(16).weakTiming(true).build();
  }

  @Test
  void honestProver_passes() throws Exception {
    Verdict v = service.attest(prover(proverKey), small());
    assertTrue(v.passed(), () -> v + "\n" + log);
    assertEquals(Check.PASS, v.check("openings.exact").status());
    assertTrue(v.check("signature.prover").expected().contains("pinned key"),
        v.check("signature.prover").expected());
    assertTrue(log.toString().contains("seed sent, clock started"), log.toString());
  }

  @Test
  void proverWithAnotherKey_failsTheSignatureCheck() throws Exception {
    Verdict v = service.attest(prover(Ed25519PrivateKey.generate(new SecureRandom())), small());
    assertFalse(v.passed());
    assertEquals(Check.FAIL, v.check("signature.prover").status());
    assertEquals(Check.PASS, v.check("openings.exact").status(), "the work itself was exact");
  }

  @Test
  void proverThatExits_failsWithProverExit() throws Exception {
    Verdict v = service.attest("false", small());
    assertFalse(v.passed());
    assertEquals(Check.FAIL, v.check("prover.exit").status());
  }

  @Test
  void unknownModel_theCallersErrorAndNoProverStarted() {
    ChallengeIssuer.InvalidRequestException e = assertThrows(
        ChallengeIssuer.InvalidRequestException.class, () -> service.attest("touch '"
            + home.resolve("started") + "'", ChallengeIssuer.Request.builder().gpus(1)
            .model("Acme X1").iterations(1).build()));
    assertEquals(ChallengeIssuer.Field.MODEL, e.field());
    assertFalse(Files.exists(home.resolve("started")));
  }

  @Test
  void libraryMd_showsTheCompiledExampleUnchanged() throws Exception {
    String doc = Files.readString(LIBRARY_MD);
    String fence = "```java\n";
    int start = doc.indexOf(fence + "package org.gpuattest.example;");
    assertTrue(start >= 0, "docs/library.md has no java block with the example");
    start += fence.length();
    String shown = doc.substring(start, doc.indexOf("```", start));
    assertEquals(Files.readString(SOURCE), shown,
        "docs/library.md's example differs from " + SOURCE + "; copy the file into it");
  }
}
