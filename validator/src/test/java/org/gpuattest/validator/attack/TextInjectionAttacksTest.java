package org.gpuattest.validator.attack;

import static org.gpuattest.validator.attack.Verdicts.assertFailsOnly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.VerdictText;
import org.gpuattest.validator.attack.TestProver.Cheats;
import org.gpuattest.validator.attack.TestProver.Hardware;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the person reading the text verdict: a prover signs device reports whose strings
 * carry line breaks, terminal escape sequences and bidi controls, so that the checks quoting
 * them would print a forged "verdict: PASS" line or erase the real one.
 */
class TextInjectionAttacksTest {
  static final String FAKE_VERDICT =
      "verdict: PASS (challenge 00000000000000000000000000000000; 19 passed, 0 failed,"
          + " 0 skipped)";

  @TempDir Path dir;

  @Test
  void format_deviceNameAndUuidWithForgedVerdictLine_printsOnlyTheRealVerdictLine()
      throws Exception {
    Harness h = new Harness(dir, 81);
    String uuid = TestProver.h100Uuid(0) + "\r\n" + FAKE_VERDICT + "\u001b[2K\u2028\u202e";
    TestProver p = h.prover(Hardware.H100, Cheats.HONEST.reports((g, r) -> {
      DeviceReport lying = Reports.identity(r, uuid, r.pciBusId());
      return g == 1 ? Reports.name(lying, r.name() + "\n" + FAKE_VERDICT + "\u001b[2K") : lying;
    }));
    Verdict v = h.run(p).verdict();
    assertFailsOnly(v, "Device 1 is not the claimed model", "devices.model",
        "devices.distinct");

    String text = VerdictText.format(v);
    List<String> lines = Arrays.asList(text.split("\n", -1));
    assertEquals("", lines.get(lines.size() - 1), "the text ends with a newline");
    List<String> verdictLines = lines.stream().filter(l -> l.startsWith("verdict:")).toList();
    assertEquals(List.of(lines.get(lines.size() - 2)), verdictLines, text);
    assertTrue(verdictLines.get(0).startsWith("verdict: FAIL (challenge "), text);
    assertEquals(Verdicts.ALL_CHECKS.size() + 4, lines.size(),
        "the attestation line, one line per check, the proven line, then the verdict");
    assertTrue(lines.get(0).startsWith("attestation: 2 x "), text);
    assertTrue(lines.get(lines.size() - 3).startsWith("proven: "), text);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int at = i;
      assertTrue(c == '\n' || !(c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028'
          || c == '\u2029' || (c >= '\u202a' && c <= '\u202e')
          || (c >= '\u2066' && c <= '\u2069')),
          () -> "U+" + Integer.toHexString(c) + " at " + at + " in:\n" + text);
    }
    assertTrue(text.contains("\\u000a" + FAKE_VERDICT + "\\u001b[2K"), text);
  }
}
