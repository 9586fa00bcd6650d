package org.gpuattest.validator;

import java.util.ArrayList;
import java.util.List;
import org.gpuattest.common.message.Attestation;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.check.Verifier;

/**
 * The prover did not give a usable answer: it exited with an error, did not answer in time,
 * or wrote something that is not the message asked for. That fails the attestation (exit 1,
 * docs/protocol.md section 8.4), so it becomes a verdict like any other failure: one failed
 * check naming what the prover did, and every regular check listed as skipped. A ready answer
 * that already fails a check of the commitment (a CPU backend, another model, another device
 * count: {@link ReadyChecks}) ends the attestation the same way, that check failed first, before
 * the seed is sent. Faults on the validator's own side are never a ProverFailure.
 */
public final class ProverFailure extends Exception {
  /** The prover's process exited with a non-zero code. */
  public static final String EXIT = "prover.exit";
  /** The prover did not answer within its deadline; it was stopped. */
  public static final String TIMEOUT = "prover.timeout";
  /** The prover's answer is empty, too large, not a message, or not the one asked for. */
  public static final String OUTPUT = "prover.output";

  private final String check;
  private final String step;
  private final String measured;
  private final String expected;
  /** Set when the validator refused the prover's ready answer, so 'go' was never sent. */
  private final boolean refusedAtReady;

  /**
   * @param step the step that failed: "prove" or "open" (separate runs); "prepare", "ready",
   *     "go", "memory" or "open" (the attest conversation, docs/protocol.md §3.2)
   * @param message what the prover did and what to do about it, one line
   */
  public ProverFailure(String check, String step, String measured, String expected,
      String message) {
    this(check, step, measured, expected, message, false);
  }

  private ProverFailure(String check, String step, String measured, String expected,
      String message, boolean refusedAtReady) {
    super(message);
    this.check = check;
    this.step = step;
    this.measured = measured;
    this.expected = expected;
    this.refusedAtReady = refusedAtReady;
  }

  /**
   * The prover's ready answer already fails one of the commitment's checks ({@link
   * ReadyChecks}): the attestation ends at 'prepare', without 'go', so the seed never leaves.
   */
  static ProverFailure refusedAtReady(String check, String measured, String expected,
      String message) {
    return new ProverFailure(check, "prepare", measured, expected, message
        + " 'go' was not sent: the seed never left the validator.", true);
  }

  /** The prover did not {@code verb} '{@code step}' within {@code timeout} and was stopped. */
  static ProverFailure timedOut(String step, java.time.Duration timeout, String verb) {
    return new ProverFailure(TIMEOUT, step, "no answer after " + timeout.toSeconds() + " s",
        "an answer within " + timeout.toSeconds() + " s", "The prover did not " + verb + " '"
            + step + "' within its deadline of " + timeout.toSeconds() + " s and was stopped.");
  }

  /** The validator's own thread was interrupted while the prover ran {@code step}. */
  static ProverFailure interrupted(String step) {
    return new ProverFailure(TIMEOUT, step, "interrupted", "an answer",
        "The validator was interrupted while the prover ran '" + step + "'.");
  }

  /** The prover's answer to {@code step} arrived but is not a usable {@code message}. */
  public static ProverFailure unusable(String step, String message, Exception why) {
    return new ProverFailure(OUTPUT, step, "not a usable " + message, "this challenge's "
        + message, "The prover's '" + step + "' answer is not a usable " + message + ": "
        + why.getMessage());
  }

  public String check() {
    return check;
  }

  public String step() {
    return step;
  }

  /** What happened, for the validator's progress line. */
  public String describe() {
    return refusedAtReady ? "the prover's ready answer fails " + check + "; no 'go' was sent"
        : "the prover failed at '" + step + "' (" + check + ")";
  }

  /** The failed attestation: this failure, then every other regular check, skipped. */
  public Verdict verdict(String challengeId) {
    return verdict(challengeId, null);
  }

  /**
   * As {@link #verdict(String)}, with the summary of the commitment the prover sent before it
   * failed ({@link Validator#summary}), or null when it sent none.
   */
  public Verdict verdict(String challengeId, Attestation attestation) {
    return verdict(challengeId, attestation, Verifier.CHECKS);
  }

  /**
   * As {@link #verdict(String, Attestation)} for challenge {@code c}: the memory phase's checks
   * are listed too where it asked for the phase ({@link Verifier#checksFor}).
   */
  public Verdict verdict(org.gpuattest.common.message.Challenge c, Attestation attestation) {
    return verdict(c.id(), attestation, Verifier.checksFor(c));
  }

  private Verdict verdict(String challengeId, Attestation attestation, List<String> names) {
    List<Check> checks = new ArrayList<>();
    checks.add(Check.fail(check, measured, expected, getMessage()));
    String why = refusedAtReady ? "refused at 'ready', before the seed was sent"
        : "the prover failed at '" + step + "'";
    for (String name : names) {
      if (!name.equals(check)) { // a check failed at ready is listed once, failed
        checks.add(Check.skipped(name, why));
      }
    }
    return Verdict.of(challengeId, checks, attestation);
  }
}
