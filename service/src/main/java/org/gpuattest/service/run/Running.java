package org.gpuattest.service.run;

import org.gpuattest.validator.ProverConversation;

/**
 * A handle on one attestation in progress, for the service's stop: {@link #stop} ends its
 * prover's whole process tree, and the attestation then ends as interrupted on the validator's
 * side, never as the prover's failure.
 */
public final class Running {
  private ProverConversation prover;
  private boolean stopped;

  /** Called by the runner once its prover runs; a stop that came first stops it at once. */
  synchronized void attach(ProverConversation p) {
    prover = p;
    if (stopped) {
      p.close();
    }
  }

  synchronized void detach() {
    prover = null;
  }

  /** Stops the prover, if one runs, and marks the attestation interrupted. */
  public void stop() {
    ProverConversation p;
    synchronized (this) {
      stopped = true;
      p = prover;
    }
    if (p != null) {
      p.close();
    }
  }

  public synchronized boolean stopped() {
    return stopped;
  }
}
