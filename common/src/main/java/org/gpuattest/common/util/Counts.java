package org.gpuattest.common.util;

/**
 * A number with its noun in the right number, for messages people read: "1 device",
 * "2 devices", "0 devices". English uses the singular for exactly one and the plural for
 * everything else, zero included.
 */
public final class Counts {
  private Counts() {}

  /** {@code n} and {@code singular}, with "s" appended unless n is 1: "1 SM", "132 SMs". */
  public static String count(long n, String singular) {
    return count(n, singular, singular + "s");
  }

  /** {@code n} and the noun for it, for irregular plurals: "1 entry", "3 entries". */
  public static String count(long n, String singular, String plural) {
    return n + " " + (n == 1 ? singular : plural);
  }
}
