package org.gpuattest.common;

/**
 * A message from the other party (or a file the user named) could not be accepted: bad base64,
 * bad JSON, an unknown version, or a field out of range. The message is one line that names
 * the field; CLIs print it and exit 2.
 */
public class BadMessageException extends Exception {
  public BadMessageException(String message) {
    super(message);
  }
}
