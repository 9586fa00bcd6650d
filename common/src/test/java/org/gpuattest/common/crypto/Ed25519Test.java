package org.gpuattest.common.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.VerificationException;
import org.junit.jupiter.api.Test;

/** Ed25519 keys and signatures (RFC 8032) as the messages use them: raw, PEM and base64. */
class Ed25519Test {
  private static final HexFormat HEX = HexFormat.of();

  /** Source: RFC 8032 section 7.1, TEST 1, TEST 2 and TEST 3 (secret, public, message, sig). */
  private static final String[][] RFC8032 = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
            + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
            + "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
  };

  private static final Ed25519PrivateKey KEY =
      Ed25519PrivateKey.fromSeed(HEX.parseHex(RFC8032[0][0]));
  private static final byte[] MESSAGE = "commitment bytes".getBytes(StandardCharsets.UTF_8);

  @Test
  void signAndVerify_rfc8032Section71Tests_matchKnownAnswers() {
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < RFC8032.length; i++) {
      String[] v = RFC8032[i];
      Ed25519PrivateKey key = Ed25519PrivateKey.fromSeed(HEX.parseHex(v[0]));
      byte[] message = HEX.parseHex(v[2]);
      String pub = HEX.formatHex(key.publicKey().raw());
      String sig = HEX.formatHex(key.sign(message));
      if (!pub.equals(v[1])) {
        failures.add("TEST " + (i + 1) + ": public key " + pub);
      }
      if (!sig.equals(v[3])) {
        failures.add("TEST " + (i + 1) + ": signature " + sig);
      }
      try {
        Ed25519PublicKey.fromRaw(HEX.parseHex(v[1])).verify("t", message, HEX.parseHex(v[3]));
      } catch (VerificationException e) {
        failures.add("TEST " + (i + 1) + ": " + e.getMessage());
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void toPemFromPem_privateKey_roundTripsToSameKey() throws Exception {
    String pem = KEY.toPem();
    assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----"), pem);
    Ed25519PrivateKey back = Ed25519PrivateKey.fromPem("key", pem);
    assertArrayEquals(KEY.publicKey().raw(), back.publicKey().raw());
    assertArrayEquals(KEY.sign(MESSAGE), back.sign(MESSAGE)); // deterministic, RFC 8032 5.1.6
  }

  @Test
  void toPemFromPem_publicKey_roundTripsToSameKey() throws Exception {
    String pem = KEY.publicKey().toPem();
    assertTrue(pem.startsWith("-----BEGIN PUBLIC KEY-----"), pem);
    Ed25519PublicKey back = Ed25519PublicKey.fromPem("key", pem);
    assertTrue(back.sameKeyAs(KEY.publicKey()));
    assertDoesNotThrow(() -> back.verify("t", MESSAGE, KEY.sign(MESSAGE)));
  }

  @Test
  void verify_base64Signature_isAccepted() {
    String sig = Base64.getEncoder().encodeToString(KEY.sign(MESSAGE));
    assertDoesNotThrow(() -> KEY.publicKey().verify("t", MESSAGE, sig));
  }

  @Test
  void verify_anyFlippedSignatureBit_throwsVerification() {
    byte[] sig = KEY.sign(MESSAGE);
    List<String> accepted = new ArrayList<>();
    for (int bit = 0; bit < 8 * sig.length; bit++) {
      byte[] bad = sig.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      try {
        KEY.publicKey().verify("t", MESSAGE, bad);
        accepted.add("bit " + bit);
      } catch (VerificationException e) {
        if (!e.getMessage().equals("t: Ed25519 signature does not verify")) {
          accepted.add("bit " + bit + " gave '" + e.getMessage() + "'");
        }
      }
    }
    assertTrue(accepted.isEmpty(), String.join(", ", accepted));
  }

  @Test
  void verify_wrongMessage_throwsVerification() {
    byte[] sig = KEY.sign(MESSAGE);
    byte[] other = MESSAGE.clone();
    other[0] ^= 1;
    VerificationException e = assertThrows(VerificationException.class,
        () -> KEY.publicKey().verify("commitment signature", other, sig));
    assertEquals("commitment signature: Ed25519 signature does not verify", e.getMessage());
  }

  @Test
  void verify_wrongKey_throwsVerification() {
    Ed25519PublicKey other = Ed25519PrivateKey.generate(new SecureRandom()).publicKey();
    assertThrows(VerificationException.class,
        () -> other.verify("t", MESSAGE, KEY.sign(MESSAGE)));
  }

  @Test
  void verify_signatureOfWrongLength_throwsVerificationNamingLength() {
    VerificationException e = assertThrows(VerificationException.class,
        () -> KEY.publicKey().verify("t", MESSAGE, new byte[63]));
    assertTrue(e.getMessage().contains("63 bytes"), e.getMessage());
  }

  @Test
  void verify_signatureNotBase64OrMissing_throwsVerification() {
    VerificationException e = assertThrows(VerificationException.class,
        () -> KEY.publicKey().verify("t", MESSAGE, "not*base64"));
    assertTrue(e.getMessage().contains("not base64"), e.getMessage());
    assertThrows(VerificationException.class,
        () -> KEY.publicKey().verify("t", MESSAGE, (String) null));
  }

  @Test
  void fromPem_malformedInputs_throwBadMessageNamingTheKey() {
    String privatePem = KEY.toPem();
    String publicPem = KEY.publicKey().toPem();
    String[][] cases = {
      {"empty", ""},
      {"blank", "  \n"},
      {"no PEM block", "just some text"},
      {"bad base64 body", "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n"},
      {"missing END line", publicPem.substring(0, publicPem.indexOf("-----END"))},
      {"garbage DER", "-----BEGIN PUBLIC KEY-----\naGVsbG8gd29ybGQ=\n-----END PUBLIC KEY-----\n"},
      {"private key where public belongs", privatePem},
      {"truncated DER", truncateBody(publicPem)},
    };
    List<String> failures = new ArrayList<>();
    for (String[] c : cases) {
      try {
        Ed25519PublicKey.fromPem("validator key", c[1]);
        failures.add(c[0] + ": accepted");
      } catch (BadMessageException e) {
        if (!e.getMessage().startsWith("validator key: ") || e.getMessage().contains("\n")) {
          failures.add(c[0] + ": message '" + e.getMessage() + "'");
        }
      } catch (RuntimeException e) {
        failures.add(c[0] + ": threw " + e);
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  @Test
  void fromPem_publicKeyWherePrivateBelongs_throwsBadMessageSayingSo() {
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> Ed25519PrivateKey.fromPem("prover key", KEY.publicKey().toPem()));
    assertTrue(e.getMessage().startsWith("prover key: this file holds a public key where a"
        + " private key belongs"), e.getMessage());
    assertThrows(BadMessageException.class,
        () -> Ed25519PrivateKey.fromPem("prover key", truncateBody(KEY.toPem())));
  }

  @Test
  void fromPem_privateKeyWherePublicBelongs_saysSoWithoutQuotingIt() {
    String pem = KEY.toPem();
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> Ed25519PublicKey.fromPem("--prover-key", pem));
    assertTrue(e.getMessage().startsWith("--prover-key: this file holds a private key where a"
        + " public key belongs"), e.getMessage());
    String body = pem.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
    assertFalse(e.getMessage().contains(body.substring(0, 12)), e.getMessage());
  }

  /** Known answer: sha256(RFC 8032 TEST 1's public key), cut to 8 bytes (Python hashlib). */
  @Test
  void keyId_rfc8032Test1Key_isFirst16HexDigitsOfSha256() {
    assertEquals("21fe31dfa154a261", KEY.publicKey().keyId());
    Ed25519PublicKey other = Ed25519PrivateKey.fromSeed(HEX.parseHex(RFC8032[1][0])).publicKey();
    assertFalse(other.keyId().equals(KEY.publicKey().keyId()));
  }

  @Test
  void fromSeed_wrongLength_throwsIllegalArgument() {
    assertThrows(IllegalArgumentException.class, () -> Ed25519PrivateKey.fromSeed(new byte[31]));
  }

  /** The same PEM armour around the first half of its DER. */
  private static String truncateBody(String pem) {
    String[] lines = pem.strip().split("\n");
    byte[] der = Base64.getMimeDecoder().decode(lines[1].strip());
    byte[] half = java.util.Arrays.copyOf(der, der.length / 2);
    return lines[0] + "\n" + Base64.getEncoder().encodeToString(half) + "\n"
        + lines[lines.length - 1] + "\n";
  }
}
