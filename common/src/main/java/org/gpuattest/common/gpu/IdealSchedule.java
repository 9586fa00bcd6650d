package org.gpuattest.common.gpu;

/**
 * What the SM monitor would read for one launch of {@code blocks} equal blocks on
 * {@code smCount} SMs that hold {@code blocksPerSm} each, under an ideal scheduler: it places
 * each block on the SM with the fewest (so the first min(blocks, smCount) land on distinct
 * SMs), every block takes the same time, and the launch runs in full waves of smCount x
 * blocksPerSm blocks and a last, possibly partial, one. The SM checks' bounds start from these
 * figures (docs/protocol.md §8.3); the reasoning is docs/soundness.md §6, "The SM checks'
 * bounds".
 *
 * @param blocks blocks of one launch, (n / tile)²
 * @param smCount the SMs
 * @param blocksPerSm blocks one SM holds at once (occupancy), at least 1
 */
public record IdealSchedule(long blocks, int smCount, int blocksPerSm) {
  public IdealSchedule {
    if (blocks < 1 || smCount < 1 || blocksPerSm < 1) {
      throw new IllegalArgumentException("blocks, smCount and blocksPerSm must be positive, got "
          + blocks + ", " + smCount + ", " + blocksPerSm);
    }
  }

  /** Blocks resident at once on the whole GPU. */
  public long slots() {
    return (long) smCount * blocksPerSm;
  }

  /** Waves: ceil(blocks / slots). */
  public long waves() {
    return (blocks + slots() - 1) / slots();
  }

  /**
   * The monitor's busy fraction (summed block time over SMs x blocks per SM x kernel time) an
   * honest GPU reaches at best, whichever of the two models below holds: the lower of {@link
   * #busyWithEqualBlocks} and {@link #busyWithSaturatedSms}. A real SM lies between them.
   */
  public double busyFraction() {
    return Math.min(busyWithEqualBlocks(), busyWithSaturatedSms());
  }

  /**
   * Every block takes the same time whatever runs beside it: blocks / (slots x waves). A
   * partial last wave leaves its empty slots idle; that is the quantisation an honest GPU
   * cannot avoid.
   */
  public double busyWithEqualBlocks() {
    return blocks / ((double) slots() * waves());
  }

  /**
   * One block already takes all of an SM's throughput, which its resident blocks share: an SM
   * given m blocks (m = floor or ceil of blocks / smCount) finishes them after m block-times,
   * running them in groups of blocksPerSm that each take as many block-times as the group has
   * blocks, so an SM with one block more than another keeps the kernel running while the
   * other idles. Summed durations over m: (m / blocksPerSm) x blocksPerSm² + (m mod
   * blocksPerSm)².
   */
  public double busyWithSaturatedSms() {
    long fewer = blocks / smCount;
    long more = blocks % smCount;
    double summed = more * grouped(fewer + 1) + (smCount - more) * grouped(fewer);
    long time = fewer + (more > 0 ? 1 : 0);
    return summed / ((double) slots() * time);
  }

  private double grouped(long m) {
    long full = m / blocksPerSm;
    long rest = m % blocksPerSm;
    return (double) full * blocksPerSm * blocksPerSm + (double) rest * rest;
  }

  /** SMs that run at least one block: each of the first smCount blocks gets its own SM. */
  public int coveredSms() {
    return (int) Math.min(blocks, smCount);
  }

  /**
   * The largest coefficient of variation of blocks per SM over all smCount SMs (sample
   * standard deviation over mean, as the validator measures it) that an honest dispatcher
   * gives. A launch that fits in one wave is spread as evenly as it can be (blocks mod smCount
   * SMs run one more than the rest). After full waves, which give every SM blocksPerSm each,
   * the last wave's blocks go to the slots that free first, which may be all of some SMs'
   * slots and none of others': blocksPerSm more on some SMs, none on the rest. 0 for one SM.
   */
  public double coefficientOfVariation() {
    if (smCount == 1) {
      return 0.0;
    }
    if (waves() == 1) {
      long fewer = blocks / smCount;
      long more = blocks % smCount;
      return cv(fewer + 1, more, fewer, smCount - more, 0, 0);
    }
    long base = (waves() - 1) * blocksPerSm;
    long last = blocks - (waves() - 1) * slots();
    long fullSms = last / blocksPerSm;
    long rest = last % blocksPerSm;
    long partial = rest > 0 ? 1 : 0;
    return cv(base + blocksPerSm, fullSms, base + rest, partial, base,
        smCount - fullSms - partial);
  }

  /** Sample CV of a multiset of three values, each with its multiplicity (summing to smCount). */
  private double cv(long a, long na, long b, long nb, long c, long nc) {
    double mean = blocks / (double) smCount;
    double squares = na * sq(a - mean) + nb * sq(b - mean) + nc * sq(c - mean);
    return Math.sqrt(squares / (smCount - 1)) / mean;
  }

  private static double sq(double x) {
    return x * x;
  }

  /**
   * The fraction of SM-waves in which the SM holds at least one block: full waves hold every
   * SM, the last wave's min(its blocks, smCount) SMs. Where a kernel of fewer, larger blocks
   * leaves SMs empty, one of more, smaller blocks may reach them ({@code ProductChoice}).
   */
  public double smFill() {
    long last = blocks - (waves() - 1) * slots();
    return ((waves() - 1) * (double) smCount + Math.min(last, smCount))
        / (waves() * (double) smCount);
  }
}
