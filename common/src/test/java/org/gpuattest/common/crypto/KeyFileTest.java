package org.gpuattest.common.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.util.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PEM key files named by an option: a UTF-8 byte-order mark (which some editors add) is
 * accepted, where it used to give "Input length = 1"; UTF-16 and binary files, and a folder,
 * are refused in words naming the option, never quoting the key.
 */
class KeyFileTest {
  @TempDir Path dir;
  private final Ed25519PrivateKey key = Ed25519PrivateKey.fromSeed(
      Bytes.sha256("gpu-attest key file test".getBytes(StandardCharsets.US_ASCII)));

  private Path withBom(String name, String pem) throws Exception {
    byte[] text = pem.getBytes(StandardCharsets.US_ASCII);
    byte[] bytes = new byte[text.length + 3];
    bytes[0] = (byte) 0xEF;
    bytes[1] = (byte) 0xBB;
    bytes[2] = (byte) 0xBF;
    System.arraycopy(text, 0, bytes, 3, text.length);
    return Files.write(dir.resolve(name), bytes);
  }

  @Test
  void fromFile_utf8ByteOrderMark_accepted() throws Exception {
    Path pub = withBom("v.pub", key.publicKey().toPem());
    assertTrue(Ed25519PublicKey.fromFile("--prover-key", pub).sameKeyAs(key.publicKey()));
    Path priv = withBom("v.pem", key.toPem());
    assertTrue(Ed25519PrivateKey.fromFile("--signing-key", priv).publicKey()
        .sameKeyAs(key.publicKey()));
  }

  @Test
  void fromFile_utf16_refusedSayingSoWithoutQuotingTheKey() throws Exception {
    Path f = Files.write(dir.resolve("v.pem"), key.toPem().getBytes(StandardCharsets.UTF_16));
    String m = assertThrows(BadMessageException.class,
        () -> Ed25519PrivateKey.fromFile("--signing-key", f)).getMessage();
    assertEquals("--signing-key: file " + f + " is UTF-16 text (it starts with a UTF-16"
        + " byte-order mark); save it as UTF-8", m);
    assertFalse(m.contains(key.toPem().lines().skip(1).findFirst().orElseThrow()));
  }

  @Test
  void fromFile_binaryOrFolder_refusedSayingSo() throws Exception {
    // DER, as 'openssl pkey -outform DER' writes a key: not text at all.
    Path der = Files.write(dir.resolve("v.der"), new byte[] {0x30, 0x2a, 0x30, 0x05, 0x06,
        0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00, (byte) 0xd7, 0x5a});
    assertEquals("--prover-key: file " + der + " holds NUL bytes: UTF-16 text or a binary"
        + " file, not UTF-8 text; save it as UTF-8", assertThrows(BadMessageException.class,
            () -> Ed25519PublicKey.fromFile("--prover-key", der)).getMessage());
    Path binary = Files.write(dir.resolve("v.bin"), new byte[] {0x30, (byte) 0xff, 0x30});
    assertEquals("--prover-key: file " + binary + " is not UTF-8 text (a binary file?)",
        assertThrows(BadMessageException.class,
            () -> Ed25519PublicKey.fromFile("--prover-key", binary)).getMessage());
    assertEquals("--prover-key: " + dir + " is a folder, not a key file",
        assertThrows(BadMessageException.class,
            () -> Ed25519PublicKey.fromFile("--prover-key", dir)).getMessage());
  }
}
