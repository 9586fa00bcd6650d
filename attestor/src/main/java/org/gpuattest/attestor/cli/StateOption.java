package org.gpuattest.attestor.cli;

import java.nio.file.Path;
import org.gpuattest.common.util.AtomicFiles;

/** Where the prover state lives unless --state says otherwise. */
final class StateOption {
  private StateOption() {}

  static Path orDefault(Path state) {
    return state != null ? state : AtomicFiles.home().resolve("attestor-state");
  }
}
