package org.gpuattest.validator;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.RuntimeFailureException;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.check.Evidence;

/**
 * Many attestations verified at once ({@link Validator#verifyAll}), as a service that collects
 * openings from many provers needs, with its threads and its memory bounded.
 *
 * <p>Threads: with P threads and N items, min(P, N) verifications run at once and each
 * recomputes its devices on P / min(P, N) threads, so at most P threads recompute at any
 * time: with P = 8, eight attestations of a batch of twenty run one device at a time, and two
 * attestations four devices at a time.
 *
 * <p>Memory: each device's recomputation, which is nearly all of a verification's heap, holds
 * {@code SampledRows.bytesFor(rows, n)} from this JVM's one heap budget (80% of the maximum
 * heap, shared with every other verification in the JVM) while it runs; one that finds the
 * budget spent waits for it rather than run the JVM out of memory. The issuer refused every
 * challenge one device of which the heap could not hold, so every item can run. The messages
 * themselves, each at most the protocol's message size, are the caller's: it chooses how many
 * items to pass at once.
 *
 * <p>An item's own refusal is its outcome, not the batch's: openings that do not decode, a
 * replay store that cannot be written, a challenge too large for this heap leave that item
 * without a verdict and the others are still verified. A fault of the validator itself (out of
 * memory, a bug) ends the batch and is rethrown on the caller's thread. The same challenge
 * twice in one batch passes {@code challenge.replay} at most once, as in sequence.
 *
 * <pre>{@code
 * Validator v = new Validator(GpuProfiles.bundled(), ReplayStore.defaultStore(),
 *     new SecureRandom(), Clock.systemUTC(), Runtime.getRuntime().availableProcessors());
 * List<AttestationBatch.Outcome> outcomes = v.verifyAll(List.of(
 *     new AttestationBatch.Item(sampledA, openingsA, Evidence.Options.strict()),
 *     new AttestationBatch.Item(sampledB, openingsB, Evidence.Options.strict())));
 * boolean bothPassed = outcomes.stream().allMatch(AttestationBatch.Outcome::passed);
 * }</pre>
 */
public final class AttestationBatch {
  private AttestationBatch() {}

  /** One attestation: its sampled session, the prover's openings (text), the operator's rules. */
  public record Item(Session session, String openings, Evidence.Options options) {}

  /**
   * What verifying one item gave: its verdict, or, with no verdict, the exception
   * {@link Validator#verify} threw for it ({@link BadMessageException}, {@link IOException} or
   * {@link RuntimeFailureException}).
   */
  public record Outcome(Verdict verdict, Exception error) {
    public Outcome {
      if ((verdict == null) == (error == null)) {
        throw new IllegalArgumentException("an outcome is a verdict or an error, not both");
      }
    }

    /** True when the item has a verdict and it passed. */
    public boolean passed() {
      return verdict != null && verdict.passed();
    }
  }

  /** One item verified on {@code threads} threads: the validator's, or a test's that counts. */
  interface Verification {
    Verdict verify(Item item, int threads)
        throws BadMessageException, IOException, RuntimeFailureException;
  }

  /**
   * @param threads the batch's threads in all, 1 to {@link Workers#MAX_THREADS}
   * @throws InterruptedException interrupted while waiting; the batch has no outcomes
   */
  static List<Outcome> verifyAll(List<Item> items, int threads, Verification verification)
      throws InterruptedException {
    int atOnce = Math.max(1, Math.min(threads, items.size()));
    int each = Math.max(1, threads / atOnce);
    return Workers.inOrder(items, atOnce, item -> {
      try {
        return new Outcome(verification.verify(item, each), null);
      } catch (InterruptedIOException e) {
        Thread.interrupted(); // the interruption ends the batch; it is no item's outcome
        throw new InterruptedException(e.getMessage());
      } catch (BadMessageException | IOException | RuntimeFailureException e) {
        return new Outcome(null, e);
      }
    });
  }
}
