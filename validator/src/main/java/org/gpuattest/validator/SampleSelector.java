package org.gpuattest.validator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.ChallengeMemory;
import org.gpuattest.common.message.Sample;
import org.gpuattest.common.util.Bytes;

/**
 * Draws the rows to open: K distinct (g, t, i) uniformly from all G x T x n rows, without
 * replacement, from a stream keyed by the validator's secret sampling seed and the commitment
 * digest. The prover learns the samples only after it is bound to its roots (canonical-v1,
 * "Opening and checking"). When K covers every row, every row is opened.
 *
 * <p>Design: Floyd's algorithm picks K distinct values in K draws [1]; each draw takes a
 * uniform integer below a bound by rejection from 64-bit words of SHA-256 in counter mode.
 *
 * <p>[1] J. Bentley and R. Floyd, "Programming pearls: a sample of brilliance", CACM 30(9), 1987.
 */
public final class SampleSelector {
  private static final byte[] DOMAIN = "samples/v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PASS_DOMAIN =
      "memory-passes/v1".getBytes(StandardCharsets.US_ASCII);

  private SampleSelector() {}

  public static List<Sample> select(Challenge c, byte[] samplingSeed, byte[] commitmentDigest) {
    long total = c.totalRows();
    int k = c.samples();
    int n = c.dim();
    int t = c.iterations();
    Set<Long> chosen;
    if (k >= total) {
      chosen = new TreeSet<>();
      for (long i = 0; i < total; i++) {
        chosen.add(i);
      }
    } else {
      Stream stream = new Stream(DOMAIN, samplingSeed, commitmentDigest);
      chosen = new HashSet<>();
      for (long j = total - k; j < total; j++) { // Floyd
        long r = stream.below(j + 1);
        chosen.add(chosen.contains(r) ? j : r);
      }
      chosen = new TreeSet<>(chosen);
    }
    List<Sample> samples = new ArrayList<>(chosen.size());
    for (long idx : chosen) {
      int row = (int) (idx % n);
      int iteration = (int) (idx / n % t);
      int device = (int) (idx / ((long) n * t));
      samples.add(new Sample(device, iteration, row));
    }
    return samples;
  }

  /**
   * The samples with the pass each opens of the memory phase (docs/protocol.md section 7):
   * for each sample whose iteration is kept, in the samples' order, a pass uniform in [0, P)
   * from the same kind of stream keyed by "memory-passes/v1", the sampling seed and the memory
   * digest; the others unchanged. The seed is drawn only once the memory roots are in, so the
   * prover learns which elements are opened only after it is bound to every pass's root.
   */
  public static List<Sample> withPasses(Challenge c, List<Sample> samples, byte[] samplingSeed,
      byte[] memoryDigest) {
    ChallengeMemory m = c.memory();
    Stream stream = new Stream(PASS_DOMAIN, samplingSeed, memoryDigest);
    List<Sample> out = new ArrayList<>(samples.size());
    for (Sample s : samples) {
      out.add(m.keeps(s.iteration(), c.iterations())
          ? s.withPass((int) stream.below(m.passes())) : s);
    }
    return out;
  }

  /** Blocks SHA-256(SHA-256(domain || seed || digest) || LE64(counter)), read as LE64 words. */
  private static final class Stream {
    private final byte[] prefix;
    private long counter;
    private byte[] block = new byte[0];
    private int used;

    Stream(byte[] domain, byte[] seed, byte[] digest) {
      prefix = Bytes.sha256(domain, seed, digest);
    }

    /** Uniform in [0, bound): rejects the lowest 2^64 mod bound words, which would bias it. */
    long below(long bound) {
      long threshold = Long.remainderUnsigned(-bound, bound);
      while (true) {
        long v = next();
        if (Long.compareUnsigned(v, threshold) >= 0) {
          return Long.remainderUnsigned(v, bound);
        }
      }
    }

    private long next() {
      if (used + 8 > block.length) {
        MessageDigest md = Bytes.sha256();
        md.update(prefix);
        byte[] ctr = new byte[8];
        Bytes.putLe64(ctr, 0, counter++);
        md.update(ctr);
        block = md.digest();
        used = 0;
      }
      long v = 0;
      for (int i = 7; i >= 0; i--) {
        v = v << 8 | (block[used + i] & 0xFF);
      }
      used += 8;
      return v;
    }
  }
}
