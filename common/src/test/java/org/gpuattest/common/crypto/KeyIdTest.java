package org.gpuattest.common.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.gpuattest.common.util.Bytes;
import org.junit.jupiter.api.Test;

/** Ed25519PublicKey.keyId: the first 16 hex digits of SHA-256 of the raw 32-byte key. */
class KeyIdTest {
  private static Ed25519PublicKey key(String label) {
    return Ed25519PrivateKey.fromSeed(Bytes.sha256(label.getBytes(StandardCharsets.US_ASCII)))
        .publicKey();
  }

  @Test
  void keyId_isSha256OfRawKeyFirst16HexDigits() throws Exception {
    Ed25519PublicKey k = key("key id test a");
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(k.raw());
    assertEquals(32, k.raw().length);
    assertEquals(HexFormat.of().formatHex(digest).substring(0, 16), k.keyId());
  }

  @Test
  void keyId_survivesPemRoundTrip_andDiffersBetweenKeys() throws Exception {
    Ed25519PublicKey a = key("key id test a");
    assertEquals(a.keyId(), Ed25519PublicKey.fromPem("a", a.toPem()).keyId());
    assertNotEquals(a.keyId(), key("key id test b").keyId());
  }
}
