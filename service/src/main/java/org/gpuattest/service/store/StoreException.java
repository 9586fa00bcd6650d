package org.gpuattest.service.store;

/**
 * The database could not be read or written: the validator's own fault, never a provider's.
 * The message says which operation, and the driver's reason, on one line.
 */
public final class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
