package org.gpuattest.validator.archive;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.json.Json;

/**
 * Signs an exchange folder as it now is, the way docs/protocol.md section 8.5 describes
 * signature.json, built here from that text alone (its own SHA-256, LE32 lengths and JSON
 * fields, none of ArchiveSignature's code): so a test can stand for someone who re-signs an
 * altered folder with a key of their own, and a validator accepting what this writes shows
 * the documented format is the one it checks.
 */
public final class ArchiveSigner {
  private ArchiveSigner() {}

  /** Writes {@code folder}/signature.json over its files as they are, signed by {@code key}. */
  public static void sign(Path folder, Ed25519PrivateKey key) throws IOException {
    String record = sha256(folder.resolve("record.json"));
    String session = sha256(folder.resolve("session.json"));
    String openings = Files.exists(folder.resolve("openings.b64"))
        ? sha256(folder.resolve("openings.b64")) : null;
    String verdict = sha256(folder.resolve("verdict.json"));
    Ed25519PublicKey pub = key.publicKey();
    String pem = pub.toPem();
    ByteArrayOutputStream t = new ByteArrayOutputStream();
    field(t, "archive-signature/v1".getBytes(StandardCharsets.UTF_8));
    for (String d : new String[] {record, session, openings, verdict}) {
      field(t, d == null ? new byte[0] : HexFormat.of().parseHex(d));
    }
    field(t, pem.getBytes(StandardCharsets.UTF_8));
    try {
      ObjectNode s = Json.read("signature", "{}".getBytes(StandardCharsets.UTF_8),
          ObjectNode.class);
      s.put("version", 1).put("validatorPublicKey", pem).put("validatorKeyId", pub.keyId());
      ObjectNode d = s.putObject("sha256").put("record", record).put("session", session);
      if (openings != null) {
        d.put("openings", openings);
      }
      d.put("verdict", verdict);
      s.put("signature", Base64.getEncoder().encodeToString(key.sign(t.toByteArray())));
      Files.write(folder.resolve("signature.json"), Json.write(s));
    } catch (BadMessageException e) {
      throw new IllegalStateException(e);
    }
  }

  /** LE32(length) then the bytes (docs/protocol.md section 5). */
  private static void field(ByteArrayOutputStream t, byte[] b) {
    int n = b.length;
    t.write(n);
    t.write(n >>> 8);
    t.write(n >>> 16);
    t.write(n >>> 24);
    t.writeBytes(b);
  }

  private static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
