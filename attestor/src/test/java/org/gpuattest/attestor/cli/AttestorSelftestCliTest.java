package org.gpuattest.attestor.cli;

import static org.gpuattest.attestor.cli.AttestorCliHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.gpuattest.attestor.cli.AttestorCliHarness.Result;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** 'attestor selftest' against docs/cli.md: the table, the JSON, and its exit codes. */
class AttestorSelftestCliTest {
  @Test
  void selftest_cpuBackend_exit0TableSaysEqual() {
    Result r = run("selftest", "--backend", "cpu", "--dim", "64,128").assertOk();
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.get(0).startsWith("selftest: cpu backend against the CPU reference, T=2"),
        r.describe());
    assertTrue(lines.stream().anyMatch(l -> l.matches("0 +64 +equal +\\d+/\\d+ +0\\.\\d\\d.*")),
        r.describe());
    assertTrue(lines.stream().anyMatch(l -> l.matches("0 +128 +equal .*")), r.describe());
    assertEquals("selftest: 2 of 2 cases equal bit for bit: PASS", lines.get(lines.size() - 1),
        r.describe());
    assertTrue(r.err().contains("attestor: selftest device 0, n=64: equal"), r.describe());
  }

  @Test
  void selftest_json_numbersAreNumbers() throws Exception {
    Result r = run("selftest", "--backend", "cpu", "--dim", "64", "--iterations", "1", "--json")
        .assertOk();
    Map<?, ?> report = Json.read("selftest", r.out().getBytes(StandardCharsets.UTF_8), Map.class);
    assertEquals(Boolean.TRUE, report.get("pass"), r.describe());
    assertEquals("cpu", report.get("backend"));
    assertEquals(1, report.get("iterations"));
    List<?> cases = (List<?>) report.get("cases");
    assertEquals(1, cases.size(), r.describe());
    Map<?, ?> c = (Map<?, ?>) cases.get(0);
    assertEquals(0, c.get("device"));
    assertEquals(64, c.get("dim"));
    assertEquals(Boolean.TRUE, c.get("pass"));
    assertTrue(c.get("smsUsed") instanceof Integer u && u >= 1, r.describe());
    assertTrue(c.get("busyFraction") instanceof Number, r.describe());
    assertTrue(c.get("kernelNanos") instanceof Number, r.describe());
    assertTrue(c.get("seed") instanceof String s && s.length() == 64, r.describe());
    assertTrue(!c.containsKey("firstDifference"), "absent when equal: " + r.describe());
    List<?> devices = (List<?>) report.get("devices");
    assertTrue(((Map<?, ?>) devices.get(0)).get("smCount") instanceof Integer, r.describe());
  }

  /** Without a GPU the default fails as a runtime failure and says how to check the CPU path. */
  @Test
  void selftest_defaultWithoutGpu_exit3OneLine() {
    run("selftest").assertFailure(ExitCodes.RUNTIME, "selftest needs a GPU");
    run("selftest", "--backend", "cuda", "--json")
        .assertFailure(ExitCodes.RUNTIME, "--backend cpu");
  }

  /**
   * auto falls back to the CPU backend without a GPU; a selftest must not, or 'selftest
   * --backend auto' passes on a host with no GPU at all: it is cuda here, exit 3.
   */
  @Test
  void selftest_autoWithoutGpu_exit3AsCuda() {
    run("selftest", "--backend", "auto", "--dim", "64").assertFailure(ExitCodes.RUNTIME,
        "selftest needs a GPU");
    run("--backend", "auto", "selftest", "--dim", "64").assertFailure(ExitCodes.RUNTIME,
        "selftest needs a GPU");
  }

  @ParameterizedTest(name = "--dim {0}")
  @ValueSource(strings = {"32", "100", "16448", "64,0", "abc", "64,65"})
  void selftest_badDims_exit2OneLine(String dims) {
    run("selftest", "--backend", "cpu", "--dim", dims).assertBadInput("--dim");
  }

  @Test
  void selftest_badIterations_exit2OneLine() {
    run("selftest", "--backend", "cpu", "--iterations", "0").assertBadInput("--iterations");
  }

  /** Bad input is refused before the backend is looked at: exit 2, not 3, without a GPU. */
  @Test
  void selftest_badDimsWithoutGpu_badInputFirst() {
    run("selftest", "--dim", "100").assertBadInput("--dim");
  }

  @Test
  void selftest_help_listsItsExitCodes() {
    Result r = run("selftest", "--help").assertOk();
    for (String code : new String[] {"0", "1", "2", "3"}) {
      assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith(code + " ")),
          () -> "exit code " + code + " is not listed: " + r.describe());
    }
  }
}
