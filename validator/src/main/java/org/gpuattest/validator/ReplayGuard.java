package org.gpuattest.validator;

import java.io.IOException;
import java.time.Instant;

/**
 * What the challenge.replay check asks of the validator's host: whether this is the first time
 * a challenge id is verified (docs/protocol.md section 8.3). {@link ReplayStore} answers from its
 * folder and records the id; a re-verification from the evidence archive answers with the
 * outcome it recorded, since the id was of course used by the verification it repeats
 * (section 8.5).
 */
public interface ReplayGuard {
  /**
   * Marks the id used.
   *
   * @return true if this call claimed it, false if it was used before
   * @throws IOException the record of used ids cannot be written: the validator's fault
   */
  boolean claim(String challengeIdHex, Instant now) throws IOException;
}
