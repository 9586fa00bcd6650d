package org.gpuattest.attestor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.VerificationException;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.util.Counts;

/**
 * The validators whose challenges this prover answers (docs/protocol.md §6, "The prover's
 * trust rule"): either any validator ({@link #ANY}, the default), or only those holding one of
 * a list of Ed25519 keys. With a list, a challenge must be signed, by one of its keys, and the
 * signature must verify; anything else is refused before any work is done for it. Keys are
 * compared by their raw 32 bytes, never by PEM text, which may differ for one key.
 */
public final class TrustedValidators {
  /** No list: every challenge is answered, signed or not (a bad signature is still refused). */
  public static final TrustedValidators ANY = new TrustedValidators(List.of(), "");

  private final List<Ed25519PublicKey> keys;
  private final String source;

  private TrustedValidators(List<Ed25519PublicKey> keys, String source) {
    this.keys = keys;
    this.source = source;
  }

  /**
   * @param keys at least one key; a key given twice counts once
   * @param source where the list came from, for refusals: "--validator-key", say
   */
  public static TrustedValidators of(List<Ed25519PublicKey> keys, String source) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("a list of trusted validators needs a key; use ANY");
    }
    List<Ed25519PublicKey> distinct = new ArrayList<>();
    for (Ed25519PublicKey k : keys) {
      if (distinct.stream().noneMatch(k::sameKeyAs)) {
        distinct.add(k);
      }
    }
    return new TrustedValidators(List.copyOf(distinct), source);
  }

  /**
   * Reads public key files (PEM, as 'validator keygen' prints them); none gives {@link #ANY}.
   *
   * @param option names the files in refusals, for example "--validator-key"
   * @throws BadMessageException a file is missing, too large, not an Ed25519 public key, or a
   *     private key given by mistake; the refusal names the file, never quotes it
   */
  public static TrustedValidators load(String option, List<Path> files)
      throws BadMessageException {
    if (files.isEmpty()) {
      return ANY;
    }
    List<Ed25519PublicKey> keys = new ArrayList<>();
    for (Path f : files) {
      keys.add(Ed25519PublicKey.fromFile(option, f));
    }
    return of(keys, option);
  }

  /**
   * This list and {@code key} too, or {@link #ANY} for {@link #ANY}: for {@link WarmUp}, whose
   * throwaway challenge is signed by a throwaway key and must pass {@link #check} the way the
   * validator's will. Never the list a real challenge is checked against.
   */
  TrustedValidators alsoTrusting(Ed25519PublicKey key) {
    if (trustsAny()) {
      return ANY;
    }
    List<Ed25519PublicKey> more = new ArrayList<>(keys);
    more.add(key);
    return of(more, source);
  }

  /** Whether every validator is trusted: no list was given. */
  public boolean trustsAny() {
    return keys.isEmpty();
  }

  /** How many distinct keys are trusted; 0 for {@link #ANY}. */
  public int size() {
    return keys.size();
  }

  /**
   * Refuses a challenge this prover must not answer: unsigned, signed by a key not on the
   * list, or with a signature that does not verify. {@link #ANY} refuses none here (a present
   * signature is still checked by {@link Prover#checkAcceptable}).
   *
   * @throws BadMessageException one line, "challenge: ...", naming why
   */
  public void check(Challenge c) throws BadMessageException {
    if (trustsAny()) {
      return;
    }
    if (c.validatorPublicKey() == null) {
      throw new BadMessageException("challenge: unsigned, but this prover answers only"
          + " challenges signed by " + trusted("its"));
    }
    Ed25519PublicKey key;
    try {
      key = Ed25519PublicKey.fromPem("challenge: validatorPublicKey", c.validatorPublicKey());
    } catch (BadMessageException e) {
      throw new BadMessageException(e.getMessage() + " (this prover answers only "
          + trusted("its") + ")");
    }
    if (keys.stream().noneMatch(key::sameKeyAs)) {
      throw new BadMessageException("challenge: signed by key " + key.keyId()
          + ", which is not " + trusted("the"));
    }
    try {
      c.verifySignature();
    } catch (VerificationException e) {
      throw new BadMessageException("challenge: " + e.getMessage() + " (trusted key "
          + key.keyId() + ")");
    }
  }

  /** "the trusted validator key (--validator-key)", "one of its 2 trusted validator keys (..)". */
  private String trusted(String article) {
    String which = keys.size() == 1 ? article + " trusted validator key"
        : "one of " + article + " " + keys.size() + " trusted validator keys";
    return which + " (" + source + ")";
  }

  @Override
  public String toString() {
    if (trustsAny()) {
      return "any validator";
    }
    return Counts.count(keys.size(), "trusted validator key") + " (" + source + "): "
        + String.join(", ", keys.stream().map(Ed25519PublicKey::keyId).toList());
  }
}
