package org.gpuattest.common.crypto;

import java.io.IOException;
import java.util.Base64;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.VerificationException;
import org.gpuattest.common.util.Bytes;
import org.gpuattest.common.util.Hex;

/** An Ed25519 verifying key (RFC 8032), as an X.509 SubjectPublicKeyInfo "PUBLIC KEY" PEM. */
public final class Ed25519PublicKey {
  static final String PEM_TYPE = "PUBLIC KEY";
  /** The length of a {@link #keyId()}: 64 bits, ample to tell a fleet's keys apart. */
  public static final int KEY_ID_HEX_DIGITS = 16;
  private final Ed25519PublicKeyParameters key;

  Ed25519PublicKey(Ed25519PublicKeyParameters key) {
    this.key = key;
  }

  public static Ed25519PublicKey fromPem(String what, String pem) throws BadMessageException {
    byte[] der = Ed25519PrivateKey.Pem.read(what, pem, PEM_TYPE);
    try {
      AsymmetricKeyParameter p = PublicKeyFactory.createKey(der);
      if (!(p instanceof Ed25519PublicKeyParameters)) {
        throw new BadMessageException(what + ": not an Ed25519 public key");
      }
      return new Ed25519PublicKey((Ed25519PublicKeyParameters) p);
    } catch (IOException | IllegalArgumentException | ClassCastException e) {
      throw new BadMessageException(what + ": not an X.509 Ed25519 public key");
    }
  }

  /** Reads a PEM key file named by a CLI option; bad files are bad input naming the option. */
  public static Ed25519PublicKey fromFile(String option, java.nio.file.Path file)
      throws BadMessageException {
    return fromPem(option + " " + file, Ed25519PrivateKey.Pem.readFile(option, file));
  }

  public static Ed25519PublicKey fromRaw(byte[] raw) {
    return new Ed25519PublicKey(new Ed25519PublicKeyParameters(raw, 0));
  }

  public String toPem() {
    try {
      return Ed25519PrivateKey.Pem.write(
          PEM_TYPE, SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(key).getEncoded());
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode an Ed25519 key", e);
    }
  }

  public byte[] raw() {
    return key.getEncoded();
  }

  /**
   * A short name for this key that both tools print the same way: the first
   * {@value #KEY_ID_HEX_DIGITS} hex digits of SHA-256 of the raw 32-byte key (docs/protocol.md
   * section 4.5). It names a key for people and reports; it is no substitute for comparing keys.
   */
  public String keyId() {
    return Hex.encode(Bytes.sha256(raw())).substring(0, KEY_ID_HEX_DIGITS);
  }

  public boolean sameKeyAs(Ed25519PublicKey other) {
    return Bytes.equal(raw(), other.raw());
  }

  /**
   * @param signatureBase64 the signature as it travels in a message
   * @throws VerificationException when the signature is malformed or does not verify
   */
  public void verify(String what, byte[] message, String signatureBase64)
      throws VerificationException {
    byte[] sig;
    try {
      sig = Base64.getDecoder().decode(signatureBase64);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new VerificationException(what + ": signature is not base64");
    }
    verify(what, message, sig);
  }

  public void verify(String what, byte[] message, byte[] signature) throws VerificationException {
    if (signature.length != Ed25519PublicKeyParameters.KEY_SIZE * 2) {
      throw new VerificationException(
          what + ": signature is " + signature.length + " bytes, Ed25519 needs 64");
    }
    Ed25519Signer verifier = new Ed25519Signer();
    verifier.init(false, key);
    verifier.update(message, 0, message.length);
    if (!verifier.verifySignature(signature)) {
      throw new VerificationException(what + ": Ed25519 signature does not verify");
    }
  }
}
