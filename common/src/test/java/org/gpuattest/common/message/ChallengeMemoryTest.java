package org.gpuattest.common.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.crypto.Transcript;
import org.junit.jupiter.api.Test;

/**
 * The challenge's memory terms (docs/protocol.md §4.1, §5): validated when built, carried by
 * the preparation and compared at go, and signed only when present, so a challenge without
 * them signs the bytes it always did.
 */
class ChallengeMemoryTest {
  private static final String ID = "5d3a9c0e7b2f4a618c9e0d1f2a3b4c5d";
  private static final String SEED = "00".repeat(32);

  private static Challenge challenge(ChallengeMemory m) {
    return new Challenge(1, ID, SEED, 64, 4, 2, "NVIDIA H100 80GB HBM3",
        "2025-06-02T09:30:00Z", "2025-06-02T09:35:00Z", 8, m, null, null);
  }

  /** The transcript of docs/protocol.md §5 as published before the memory terms existed. */
  @Test
  void signingBytes_withoutMemory_areThePublishedTranscript() {
    Challenge c = challenge(null);
    byte[] published = new Transcript("challenge-signature/v1").str(ID).str(SEED).u32(64).u32(4)
        .u32(2).str("NVIDIA H100 80GB HBM3").str("2025-06-02T09:30:00Z")
        .str("2025-06-02T09:35:00Z").u32(8).str(null).toByteArray();
    assertArrayEquals(published, c.signingBytes());
  }

  @Test
  void signingBytes_withMemory_appendTheTagAndTheThreeTerms() {
    byte[] without = challenge(null).signingBytes();
    byte[] with = challenge(new ChallengeMemory(1, 3, 7)).signingBytes();
    byte[] tail = new Transcript("memory").u32(1).u32(3).u32(7).toByteArray();
    assertEquals(without.length + tail.length, with.length);
    assertArrayEquals(tail, java.util.Arrays.copyOfRange(with, without.length, with.length));
  }

  @Test
  void verifySignature_termsChangedAfterSigning_fails() {
    Ed25519PrivateKey key = Ed25519PrivateKey.generate(new SecureRandom());
    Challenge signed = challenge(new ChallengeMemory(1, 3, 7)).signedBy(key);
    Challenge altered = new Challenge(1, ID, SEED, 64, 4, 2, signed.model(), signed.issuedAt(),
        signed.expiresAt(), 8, new ChallengeMemory(1, 3, 8), signed.validatorPublicKey(),
        signed.signature());
    assertThrows(org.gpuattest.common.VerificationException.class, altered::verifySignature);
  }

  @Test
  void challenge_keepingMoreThanItsIterations_isRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> challenge(new ChallengeMemory(1, 5, 1)));
    assertEquals("memory.kept must be at most iterations (4), got 5", e.getMessage());
  }

  @Test
  void challenge_moreVectorsThanTheLimit_isRefused() {
    ChallengeMemory m = new ChallengeMemory(1, 1 << 20, 256);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Challenge(1, ID, SEED, 64, 1 << 20, 1, "m", "2025-06-02T09:30:00Z",
            "2025-06-02T09:35:00Z", 8, m, null, null));
    assertTrue(e.getMessage().startsWith("devices x memory.kept x memory.passes must be at most"
        + " 4194304"), e.getMessage());
  }

  @Test
  void decode_passesOutOfRange_namesTheField() {
    String text = ChallengeJson.base64(ChallengeJson.with("samples",
        "8, \"memory\": {\"version\": 1, \"kept\": 2, \"passes\": 0}"));
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> MessageCodec.decode("challenge", text, Challenge.class));
    assertTrue(e.getMessage().contains("memory.passes must be in [1, 256], got 0"),
        e.getMessage());
  }

  @Test
  void differenceFrom_otherMemoryTerms_isNamed() {
    Preparation p = Preparation.of(challenge(new ChallengeMemory(1, 2, 3)));
    assertNull(p.differenceFrom(challenge(new ChallengeMemory(1, 2, 3))));
    assertEquals("its memory terms (none) are not the prepared (keep 2 products, 3 passes)",
        p.differenceFrom(challenge(null)));
  }

  @Test
  void keeps_theLastKIterations() {
    ChallengeMemory m = new ChallengeMemory(1, 3, 1);
    assertEquals(7, m.first(10));
    assertTrue(m.keeps(7, 10) && m.keeps(9, 10) && !m.keeps(6, 10) && !m.keeps(10, 10));
    assertEquals(3L * 64 * 64 * 8, m.keptBytes(64));
  }
}
