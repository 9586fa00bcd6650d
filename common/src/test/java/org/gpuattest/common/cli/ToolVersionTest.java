package org.gpuattest.common.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.api.Test;

/** The tools' version is the pom's, as the build wrote it (surefire passes the pom's). */
class ToolVersionTest {
  @Test
  void project_builtByMaven_isThePomsVersion() {
    String pom = System.getProperty("project.version");
    assertNotNull(pom, "surefire passes project.version");
    assertEquals(pom, ToolVersion.project());
  }

  @Test
  void line_namesToolVersionAndProtocol() {
    assertEquals("attestor " + System.getProperty("project.version")
        + " (canonical-v1, protocol version 1)", ToolVersion.line("attestor"));
  }
}
