package org.gpuattest.common;

/**
 * Every size the protocol accepts, checked when a message is built so that a hostile size is
 * refused before anything is allocated for it. canonical-v1 fixes n; the rest are this
 * implementation's bounds, documented in docs/protocol.md.
 */
public final class Limits {
  public static final int MIN_DIM = 64;
  public static final int MAX_DIM = 16384;
  public static final int DIM_MULTIPLE = 64;
  public static final int MAX_DEVICES = 64;
  public static final int MAX_ITERATIONS = 1 << 20;
  /** G x T bounds the prover's state (32 bytes a matrix root) to 32 MiB. */
  public static final long MAX_MATRICES = 1L << 20;
  public static final int MAX_SAMPLES = 4096;
  public static final int MAX_SMS = 1024;
  public static final int MAX_TEXT = 512;
  /** The largest decoded message; openings at MAX_SAMPLES stay well below it. */
  public static final int MAX_MESSAGE_BYTES = 16 << 20;
  /** Passes of the memory phase at most (docs/protocol.md §2.2). */
  public static final int MAX_PASSES = 256;
  /**
   * G x kept x P at most: the y-vector roots s_p(g, t) the prover keeps for its openings, 32
   * bytes each, so at most 128 MiB.
   */
  public static final long MAX_MEMORY_VECTORS = 1L << 22;
  /** A Merkle path is at most ceil(log2(size)) long; 64 covers every tree we can build. */
  public static final int MAX_PATH = 64;
  /**
   * The longest a challenge lives, issue to expiry: 7 days, in seconds. The replay store and the
   * prover's state are kept a day longer than this before they may be pruned
   * (util.Pruning.MIN_PROTECTED_DAYS), so no challenge may outlive it.
   */
  public static final long MAX_LIFETIME_SECONDS = 7 * 86_400L;

  private Limits() {}

  public static int range(String field, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          field + " must be in [" + min + ", " + max + "], got " + value);
    }
    return (int) value;
  }

  public static int dim(String field, int n) {
    range(field, n, MIN_DIM, MAX_DIM);
    if (n % DIM_MULTIPLE != 0) {
      throw new IllegalArgumentException(
          field + " must be a multiple of " + DIM_MULTIPLE + ", got " + n);
    }
    return n;
  }

  /**
   * The work a challenge asks for: n (a legal dim), T iterations and G devices, and at most
   * {@link #MAX_MATRICES} matrices in all, as the challenge and its preparation both check.
   */
  public static void work(int dim, int iterations, int devices) {
    dim("dim", dim);
    range("iterations", iterations, 1, MAX_ITERATIONS);
    range("devices", devices, 1, MAX_DEVICES);
    if ((long) devices * iterations > MAX_MATRICES) {
      throw new IllegalArgumentException("devices x iterations must be at most " + MAX_MATRICES
          + ", got " + (long) devices * iterations);
    }
  }

  public static String text(String field, String value) {
    if (value == null) {
      throw new IllegalArgumentException(field + " is required");
    }
    if (value.length() > MAX_TEXT) {
      throw new IllegalArgumentException(
          field + " is longer than " + MAX_TEXT + " characters (" + value.length() + ")");
    }
    return value;
  }

  public static <T> T required(String field, T value) {
    if (value == null) {
      throw new IllegalArgumentException(field + " is required");
    }
    return value;
  }

  public static void version(String what, int version) {
    if (version != 1) {
      throw new IllegalArgumentException(
          "version " + version + " of the " + what + " is unknown; this build speaks version 1");
    }
  }
}
