package org.gpuattest.common;

/** A proof, digest or signature from the other party did not verify; the message says which. */
public class VerificationException extends Exception {
  public VerificationException(String message) {
    super(message);
  }
}
