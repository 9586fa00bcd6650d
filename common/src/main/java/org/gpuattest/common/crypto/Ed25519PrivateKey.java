package org.gpuattest.common.crypto;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.SecureRandom;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.util.InputFiles;
import org.gpuattest.common.util.Printable;

/**
 * An Ed25519 signing key (RFC 8032), stored as a PKCS#8 "PRIVATE KEY" PEM block. BouncyCastle's
 * lightweight API does the arithmetic; nothing here registers a JCA provider.
 */
public final class Ed25519PrivateKey {
  static final String PEM_TYPE = "PRIVATE KEY";
  private final Ed25519PrivateKeyParameters key;

  private Ed25519PrivateKey(Ed25519PrivateKeyParameters key) {
    this.key = key;
  }

  public static Ed25519PrivateKey generate(SecureRandom random) {
    return new Ed25519PrivateKey(new Ed25519PrivateKeyParameters(random));
  }

  /** From the 32-byte RFC 8032 secret; for known-answer tests. */
  public static Ed25519PrivateKey fromSeed(byte[] seed) {
    if (seed.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
      throw new IllegalArgumentException("Ed25519 secret must be 32 bytes, got " + seed.length);
    }
    return new Ed25519PrivateKey(new Ed25519PrivateKeyParameters(seed, 0));
  }

  public static Ed25519PrivateKey fromPem(String what, String pem) throws BadMessageException {
    byte[] der = Pem.read(what, pem, PEM_TYPE);
    try {
      AsymmetricKeyParameter p = PrivateKeyFactory.createKey(der);
      if (!(p instanceof Ed25519PrivateKeyParameters)) {
        throw new BadMessageException(what + ": not an Ed25519 private key");
      }
      return new Ed25519PrivateKey((Ed25519PrivateKeyParameters) p);
    } catch (IOException | IllegalArgumentException | ClassCastException e) {
      throw new BadMessageException(what + ": not a PKCS#8 Ed25519 private key");
    }
  }

  /** Reads a PEM key file named by a CLI option; bad files are bad input naming the option. */
  public static Ed25519PrivateKey fromFile(String option, java.nio.file.Path file)
      throws BadMessageException {
    return fromPem(option + " " + file, Pem.readFile(option, file));
  }

  public String toPem() {
    try {
      return Pem.write(PEM_TYPE, PrivateKeyInfoFactory.createPrivateKeyInfo(key).getEncoded());
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode an Ed25519 key", e);
    }
  }

  public Ed25519PublicKey publicKey() {
    return new Ed25519PublicKey(key.generatePublicKey());
  }

  public byte[] sign(byte[] message) {
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, key);
    signer.update(message, 0, message.length);
    return signer.generateSignature();
  }

  /** PEM armour, shared by both key types. */
  static final class Pem {
    private Pem() {}

    static byte[] read(String what, String pem, String type) throws BadMessageException {
      if (pem == null || pem.isBlank()) {
        throw new BadMessageException(what + ": empty key");
      }
      try (PemReader r = new PemReader(new StringReader(pem))) {
        PemObject o = r.readPemObject();
        if (o == null) {
          throw new BadMessageException(what + ": no PEM block found");
        }
        if (!o.getType().equals(type)) {
          throw new BadMessageException(what + ": " + wrongType(o.getType(), type));
        }
        return o.getContent();
      } catch (IOException | RuntimeException e) {
        throw new BadMessageException(what + ": malformed PEM");
      }
    }

    /** Why a PEM block of type {@code found} will not do, in words; quotes no key material. */
    static String wrongType(String found, String expected) {
      if (found.equals(Ed25519PrivateKey.PEM_TYPE) && expected.equals(Ed25519PublicKey.PEM_TYPE)) {
        return "this file holds a private key where a public key belongs (give the public key,"
            + " as 'keygen' printed it, and keep the private key secret)";
      }
      if (found.equals(Ed25519PublicKey.PEM_TYPE) && expected.equals(Ed25519PrivateKey.PEM_TYPE)) {
        return "this file holds a public key where a private key belongs (the private key is"
            + " the file 'keygen --out' wrote)";
      }
      return "PEM block is '" + Printable.escape(found) + "', expected '" + expected + "'";
    }

    /**
     * A small text file, refused with the option's name if missing, a folder, unreadable, too
     * large for a key, or not UTF-8 text ({@link InputFiles}: a UTF-8 byte-order mark, which
     * some editors add, is dropped).
     */
    static String readFile(String option, java.nio.file.Path file) throws BadMessageException {
      return InputFiles.readText(option, file, 64 * 1024, "a key file");
    }

    static String write(String type, byte[] der) {
      StringWriter sw = new StringWriter();
      try (PemWriter w = new PemWriter(sw)) {
        w.writeObject(new PemObject(type, der));
      } catch (IOException e) {
        throw new IllegalStateException("cannot write PEM", e);
      }
      return sw.toString();
    }
  }
}
