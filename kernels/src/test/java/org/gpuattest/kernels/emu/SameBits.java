package org.gpuattest.kernels.emu;

import java.util.HexFormat;

/**
 * Bit-for-bit comparison of a kernel's output with the CPU's: one failure per check, saying
 * how many elements differ and the first of them in hex, as a mismatched hash is reported.
 */
final class SameBits {
  private static final HexFormat HEX = HexFormat.of();

  private SameBits() {}

  /** Every element of the n x n {@code actual} has the bits of {@code expected}'s. */
  static void assertMatrix(String what, double[] expected, double[] actual, int n) {
    int differ = 0;
    int first = -1;
    for (int e = 0; e < expected.length; e++) {
      if (Double.doubleToRawLongBits(expected[e]) != Double.doubleToRawLongBits(actual[e])) {
        differ++;
        first = first < 0 ? e : first;
      }
    }
    if (differ > 0) {
      throw new AssertionError(String.format(
          "%s: %d of %d elements differ; first C[%d][%d] = %s, expected %s", what, differ,
          expected.length, first / n, first % n, bits(actual[first]), bits(expected[first])));
    }
  }

  /** Every hash of {@code actual} equals {@code expected}'s. */
  static void assertHashes(String what, byte[][] expected, byte[][] actual) {
    if (expected.length != actual.length) {
      throw new AssertionError(what + ": " + actual.length + " hashes, expected "
          + expected.length);
    }
    int differ = 0;
    int first = -1;
    for (int i = 0; i < expected.length; i++) {
      if (!java.security.MessageDigest.isEqual(expected[i], actual[i])) {
        differ++;
        first = first < 0 ? i : first;
      }
    }
    if (differ > 0) {
      throw new AssertionError(String.format("%s: %d of %d hashes differ; first [%d] = %s,"
          + " expected %s", what, differ, expected.length, first, HEX.formatHex(actual[first]),
          HEX.formatHex(expected[first])));
    }
  }

  /** One hash equals another. */
  static void assertHash(String what, byte[] expected, byte[] actual) {
    if (!java.security.MessageDigest.isEqual(expected, actual)) {
      throw new AssertionError(what + ": " + HEX.formatHex(actual) + ", expected "
          + HEX.formatHex(expected));
    }
  }

  static String bits(double v) {
    return String.format("0x%016x (%s)", Double.doubleToRawLongBits(v), v);
  }
}
