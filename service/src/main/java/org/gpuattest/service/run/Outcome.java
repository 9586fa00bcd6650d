package org.gpuattest.service.run;

import org.gpuattest.common.message.Verdict;
import org.gpuattest.service.store.Result;

/**
 * What one attestation came to: the index's {@link Result}, the verdict when there is one, and
 * the durations the metrics record.
 *
 * @param verdict null when the validator's side stopped it before a verdict (interrupted,
 *     error)
 * @param attestationSeconds from the challenge's issue to the verdict
 * @param verifySeconds the verification of the openings; null when none was run
 * @param archiveProblem why the exchange was not archived, when archiving failed; else null
 */
public record Outcome(Result result, Verdict verdict, double attestationSeconds,
    Double verifySeconds, String archiveProblem) {}
