package org.gpuattest.validator.archive;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.VerificationException;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.util.Bytes;
import org.gpuattest.common.util.Hex;

/**
 * Which archived exchanges to believe (docs/protocol.md section 8.5): those whose signature.json
 * is signed by one of {@code keys}, the validator keys trusted, and whose every file is the one
 * signed. Exchanges archived before signing carry no signature.json; they are accepted only
 * with {@code allowUnsigned}, and said to be unsigned.
 *
 * @param keys the trusted validator keys, compared as keys, never by key id or PEM text
 * @param allowUnsigned accept exchanges without signature.json
 * @param whence where {@code keys} came from, for refusals: "--validator-key", or the archive
 *     key file that was looked for
 */
public record ArchiveTrust(List<Ed25519PublicKey> keys, boolean allowUnsigned, String whence) {
  public ArchiveTrust {
    keys = List.copyOf(keys);
  }

  /**
   * Checks that the exchange is as the trusted validator wrote it.
   *
   * @return the id of the validator key that signed it; empty for an unsigned exchange, which
   *     only {@code allowUnsigned} lets through
   * @throws VerificationException unsigned (without {@code allowUnsigned}), signed by a key not
   *     trusted, signature.json unreadable or its signature invalid, or a file altered since it
   *     was signed: the message names which, and each altered file
   */
  public Optional<String> verify(ArchivedFiles files) throws VerificationException {
    byte[] json = files.signature();
    if (json == null) {
      if (allowUnsigned) {
        return Optional.empty();
      }
      throw new VerificationException("unsigned: there is no " + ArchivedExchange.SIGNATURE
          + ", so nothing shows which validator wrote this exchange or that it is unchanged"
          + " (archived before exchanges were signed, or the signature was removed;"
          + " --allow-unsigned accepts it)");
    }
    ArchiveSignature s;
    Ed25519PublicKey key;
    try {
      s = Json.read(ArchivedExchange.SIGNATURE, json, ArchiveSignature.class);
      key = Ed25519PublicKey.fromPem(ArchivedExchange.SIGNATURE + ": validatorPublicKey",
          s.validatorPublicKey());
    } catch (BadMessageException e) {
      throw new VerificationException("altered: " + e.getMessage());
    }
    if (!key.keyId().equals(s.validatorKeyId())) {
      throw new VerificationException("altered: " + ArchivedExchange.SIGNATURE
          + ": validatorKeyId is not the id of its validatorPublicKey (" + key.keyId() + ")");
    }
    if (keys.stream().noneMatch(key::sameKeyAs)) {
      throw new VerificationException("signed by validator key " + key.keyId() + ", which is"
          + " not trusted here (" + trusted() + ")");
    }
    key.verify("altered: " + ArchivedExchange.SIGNATURE + ": the validator's signature",
        s.signingBytes(), s.signature());
    List<String> altered = altered(s.sha256(), files.digests());
    if (!altered.isEmpty()) {
      throw new VerificationException("altered since validator key " + key.keyId()
          + " signed it: " + String.join("; ", altered));
    }
    return Optional.of(key.keyId());
  }

  /** What is trusted, in words. */
  private String trusted() {
    if (keys.isEmpty()) {
      return "no validator key is: give --validator-key FILE (" + whence + ")";
    }
    List<String> ids = keys.stream().map(Ed25519PublicKey::keyId).toList();
    return "trusted: " + String.join(", ", ids) + ", from " + whence;
  }

  /** One line per file whose digest is not the signed one. */
  private static List<String> altered(ArchiveSignature.Digests signed,
      ArchiveSignature.Digests now) {
    List<String> out = new ArrayList<>();
    compare(out, ArchivedExchange.RECORD, signed.record(), now.record());
    compare(out, ArchivedExchange.SESSION, signed.session(), now.session());
    compare(out, ArchivedExchange.OPENINGS, signed.openings(), now.openings());
    compare(out, ArchivedExchange.VERDICT, signed.verdict(), now.verdict());
    return out;
  }

  private static void compare(List<String> out, String file, String signed, String now) {
    if (signed == null && now == null) {
      return;
    }
    if (signed == null) {
      out.add(file + " was added (the signed exchange has none)");
    } else if (now == null) {
      out.add(file + " was removed");
    } else if (!Bytes.equal(Hex.decode(file, signed, 32), Hex.decode(file, now, 32))) {
      out.add(file + " has SHA-256 " + now + ", the signed one " + signed.toLowerCase(
          java.util.Locale.ROOT));
    }
  }
}
