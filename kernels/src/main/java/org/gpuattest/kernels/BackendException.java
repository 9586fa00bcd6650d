package org.gpuattest.kernels;

/** A backend or device could not do its work; the message names the device and the reason. */
public class BackendException extends org.gpuattest.common.RuntimeFailureException {
  public BackendException(String message) {
    super(message);
  }

  public BackendException(String message, Throwable cause) {
    super(message, cause);
  }
}
