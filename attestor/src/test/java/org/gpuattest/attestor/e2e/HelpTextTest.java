package org.gpuattest.attestor.e2e;

import org.gpuattest.attestor.cli.AttestorCli;
import org.gpuattest.common.cli.HelpTexts;
import org.gpuattest.validator.cli.ValidatorCli;
import org.junit.jupiter.api.Test;

/** Both tools' help: complete sentences, every option described, one name per concept. */
class HelpTextTest {
  @Test
  void attestor_help_complete() {
    HelpTexts.assertComplete(AttestorCli.commandLine());
  }

  @Test
  void validator_help_complete() {
    HelpTexts.assertComplete(ValidatorCli.commandLine());
  }

  @Test
  void bothTools_oneNamePerConcept() {
    HelpTexts.assertOneNamePerConcept(AttestorCli.commandLine(), ValidatorCli.commandLine());
  }
}
