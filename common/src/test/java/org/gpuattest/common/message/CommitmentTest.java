package org.gpuattest.common.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.gpuattest.common.VerificationException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.crypto.Transcript;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.util.Bytes;
import org.gpuattest.common.util.Hex;
import org.junit.jupiter.api.Test;

/**
 * The commitment's optional {@code proverCpuNanos} (docs/protocol.md §4.2, §5): covered by the
 * signature behind its own tag when present, and absent without changing a byte of the
 * transcript, so commitments from before the field verify as they did.
 */
class CommitmentTest {
  /**
   * testdata/examples/commitment.json as ExampleMessages wrote it before the field existed
   * (commit de01b34), signed by the example prover key over the 2758-byte transcript of
   * docs/protocol.md §5.
   */
  private static final String BEFORE = "commitment-before-prover-cpu.json";
  private static final Ed25519PrivateKey KEY =
      Ed25519PrivateKey.fromSeed(Bytes.sha256("commitment test key".getBytes(
          StandardCharsets.US_ASCII)));

  private static Commitment before() throws Exception {
    try (InputStream in = CommitmentTest.class.getResourceAsStream(BEFORE)) {
      if (in == null) {
        throw new IOException("test resource " + BEFORE + " is missing");
      }
      return Json.read("commitment", in.readAllBytes(), Commitment.class);
    }
  }

  private static void verify(Commitment c) throws Exception {
    Ed25519PublicKey.fromPem("proverPublicKey", c.proverPublicKey())
        .verify("commitment signature", c.signingBytes(), c.signature());
  }

  @Test
  void signingBytes_commitmentFromBeforeTheField_sameTranscriptAndSignatureVerifies()
      throws Exception {
    Commitment old = before();
    assertNull(old.proverCpuNanos());
    assertEquals(2758, old.signingBytes().length);
    verify(old);
  }

  @Test
  void signingBytes_withoutTheField_theTranscriptOfSection5() throws Exception {
    Commitment old = before();
    Transcript t = new Transcript("commitment-signature/v1")
        .bytes(Hex.decode("c", old.challengeDigest(), 32))
        .bytes(Hex.decode("d", old.commitmentDigest(), 32)).u32(old.devices().size());
    old.devices().forEach(d -> d.writeTo(t));
    assertArrayEquals(t.str(old.proverPublicKey()).toByteArray(), old.signingBytes());
  }

  @Test
  void signingBytes_withTheField_appendsTagAndValueAfterTheKey() throws Exception {
    Commitment old = before();
    Commitment c = Commitment.sign(Hex.decode("c", old.challengeDigest(), 32), old.devices(),
        1_873_920L, KEY);
    Commitment without = Commitment.sign(Hex.decode("c", old.challengeDigest(), 32),
        old.devices(), KEY);
    byte[] tail = new Transcript("x").str("proverCpuNanos").u64(1_873_920L).toByteArray();
    byte[] expected = concat(without.signingBytes(), tail, new Transcript("x").toByteArray()
        .length);
    assertArrayEquals(expected, c.signingBytes());
    verify(c);
  }

  @Test
  void verify_fieldChangedOrDropped_signatureFails() throws Exception {
    Commitment old = before();
    Commitment c = Commitment.sign(Hex.decode("c", old.challengeDigest(), 32), old.devices(),
        1_873_920L, KEY);
    for (Long other : new Long[] {1_873_921L, 0L, null}) {
      Commitment edited = new Commitment(c.version(), c.challengeDigest(), c.devices(), other,
          c.commitmentDigest(), c.proverPublicKey(), c.signature());
      assertThrows(VerificationException.class, () -> verify(edited), String.valueOf(other));
    }
  }

  @Test
  void json_withTheField_readsBackEqual() throws Exception {
    Commitment old = before();
    Commitment c = Commitment.sign(Hex.decode("c", old.challengeDigest(), 32), old.devices(),
        42L, KEY);
    String json = Json.writeString(c);
    assertTrue(json.contains("\"proverCpuNanos\" : 42"), json);
    assertEquals(c, Json.read("commitment", json.getBytes(StandardCharsets.UTF_8),
        Commitment.class));
    assertFalse(Json.writeString(old).contains("proverCpuNanos"), "absent is not written");
  }

  @Test
  void constructor_negativeProverCpuNanos_refused() throws Exception {
    Commitment c = before();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Commitment(1, c.challengeDigest(), c.devices(), -1L, c.commitmentDigest(),
            c.proverPublicKey(), c.signature()));
    assertEquals("proverCpuNanos must not be negative, got -1", e.getMessage());
  }

  /** {@code head} then {@code tail} without its first {@code skip} bytes (its domain). */
  private static byte[] concat(byte[] head, byte[] tail, int skip) {
    byte[] out = new byte[head.length + tail.length - skip];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(tail, skip, out, head.length, tail.length - skip);
    return out;
  }
}
