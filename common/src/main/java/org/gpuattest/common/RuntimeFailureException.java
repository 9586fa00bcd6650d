package org.gpuattest.common;

/**
 * The environment failed, not the input: a device, a child process, memory. CLIs print the
 * message as one line and exit 3 ({@link ExitCodes#RUNTIME}).
 */
public class RuntimeFailureException extends Exception {
  public RuntimeFailureException(String message) {
    super(message);
  }

  public RuntimeFailureException(String message, Throwable cause) {
    super(message, cause);
  }
}
