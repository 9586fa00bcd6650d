package org.gpuattest.kernels.emu;

/**
 * Shared-memory bank conflicts of one warp-instruction: 32 banks of 4-byte words; a request is
 * served in phases (32 lanes for accesses of up to 4 bytes, 16 for 8, 8 for 16 bytes, as the
 * CUDA C++ Programming Guide describes for compute capability 5.x and later), and a phase
 * takes as many wavefronts as the most distinct words any one bank must deliver (lanes reading
 * one word share it).
 */
final class BankConflicts {
  private BankConflicts() {}

  /** Wavefronts beyond one per phase, for lanes {@code mask} accessing {@code bytes} each. */
  static long extraWavefronts(int[] address, int mask, int bytes) {
    int perPhase = bytes <= 4 ? 32 : 128 / bytes;
    int words = Math.max(1, bytes / 4);
    long extra = 0;
    int[] seen = new int[32 * 32];
    int[] count = new int[32];
    for (int phase = 0; phase < 32; phase += perPhase) {
      java.util.Arrays.fill(count, 0);
      int worst = 0;
      boolean any = false;
      for (int l = phase; l < phase + perPhase; l++) {
        if ((mask >>> l & 1) == 0) {
          continue;
        }
        any = true;
        for (int k = 0; k < words; k++) {
          int word = (address[l] >>> 2) + k;
          int bank = word & 31;
          boolean dup = false;
          for (int j = 0; j < Math.min(count[bank], 32); j++) {
            if (seen[bank * 32 + j] == word) {
              dup = true;
              break;
            }
          }
          if (!dup) {
            if (count[bank] < 32) {
              seen[bank * 32 + count[bank]] = word;
            }
            count[bank]++;
            worst = Math.max(worst, count[bank]);
          }
        }
      }
      if (any) {
        extra += worst - 1;
      }
    }
    return extra;
  }
}
