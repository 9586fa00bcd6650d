package org.gpuattest.common;

/** The exit codes of both CLIs (docs/cli.md). */
public final class ExitCodes {
  /** Success; for verification, the verdict passed. */
  public static final int OK = 0;
  /** The input was verified and rejected: the verdict failed. */
  public static final int REJECTED = 1;
  /** Bad usage or bad input: an option, a message, a file. One line names what. */
  public static final int BAD_INPUT = 2;
  /** A runtime failure: device, I/O, a prover command that failed. */
  public static final int RUNTIME = 3;

  private ExitCodes() {}
}
