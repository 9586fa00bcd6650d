package org.gpuattest.service.http;

import java.util.List;
import java.util.Optional;

/** What the HTTP API asks of the running service, beyond reading the store. */
public interface Control {
  /**
   * Queues an attestation of {@code provider} at once.
   *
   * @return its id; empty when the provider is not in the running fleet
   */
  Optional<String> attestNow(String provider);

  /**
   * Reads the fleet file again, whole.
   *
   * @return the problems, one line each, when it was refused (the running fleet is kept);
   *     empty when the new fleet runs
   */
  List<String> reload();

  /** Providers in the running fleet. */
  int fleetSize();

  /** Whether the database and the evidence archive can be written now. */
  Health health();

  /** The health check's findings; {@code problem}s are null when that part is fine. */
  record Health(String databaseProblem, String archiveProblem) {
    public boolean ok() {
      return databaseProblem == null && archiveProblem == null;
    }
  }
}
