package org.gpuattest.validator.attack;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.validator.attack.TestProver.Cheats;
import org.gpuattest.validator.attack.TestProver.Hardware;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check names testdata/schemas/verdict.schema.json quotes as examples (the description of
 * a check's "name") are names the Verifier really writes, so the schema cannot point readers at
 * a check that does not exist (docs/protocol.md section 8.3 lists them all).
 */
class VerdictSchemaNamesTest {
  /** Surefire runs in the module directory. */
  private static final Path SCHEMA = Path.of("..", "testdata", "schemas", "verdict.schema.json");
  /** A quoted dotted check name, as the description writes one: "group.name". */
  private static final Pattern QUOTED_NAME = Pattern.compile("\"([a-z]+\\.[a-z-]+)\"");

  @TempDir Path dir;

  @Test
  void verdictSchema_checkNameExamples_areNamesOfAnHonestRunsChecks() throws Exception {
    JsonNode schema = Json.read("verdict schema", Files.readAllBytes(SCHEMA), JsonNode.class);
    String description = schema.at("/$defs/check/properties/name/description").asText();
    Harness h = new Harness(dir, 1);
    Verdict v = h.run(h.prover(Hardware.H100, Cheats.HONEST)).verdict();
    List<String> real = v.checks().stream().map(Check::name).toList();

    List<String> quoted = new ArrayList<>();
    Matcher m = QUOTED_NAME.matcher(description);
    while (m.find()) {
      quoted.add(m.group(1));
    }
    assertFalse(quoted.isEmpty(), "no example check name in: " + description);
    for (String name : quoted) {
      assertTrue(real.contains(name), "verdict.schema.json names check '" + name
          + "', which the Verifier does not run; its checks are " + real);
    }
  }
}
