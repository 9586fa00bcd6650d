package org.gpuattest.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.json.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * testdata/schemas/gpu-profiles.schema.json and gpu-profiles-override.schema.json against the
 * files and the reader: the bundled table validates and loads unchanged, an operator's file
 * the schema accepts is applied, and what the schema refuses the reader refuses too.
 */
class GpuProfilesSchemaTest {
  private static final Path TESTDATA = Path.of("..", "testdata");
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

  private static final String GOOD_OVERRIDE = "{\"version\": 1, \"about\": \"site figures\","
      + " \"profiles\": [" + ProfileOverridesTest.profile("Acme X1", 100, 9.0) + ", "
      + ProfileOverridesTest.profile("NVIDIA H100 80GB HBM3", 132, 14.1) + "],"
      + " \"defaults\": {\"tolerance\": 0.15}}";

  @Test
  void bundledTable_validatesAndLoadsUnchanged() throws Exception {
    byte[] file = Files.readAllBytes(TESTDATA.resolve("gpu-profiles.json"));
    assertNoErrors(schema("gpu-profiles"), new String(file, StandardCharsets.UTF_8));
    GpuProfiles bundled = GpuProfiles.bundled();
    assertEquals(Json.read("table", file, GpuProfiles.class), bundled,
        "the packaged table is testdata/gpu-profiles.json");
    assertNoErrors(schema("gpu-profiles"), Json.writeString(bundled));
  }

  @Test
  void bothSchemas_draft202012_withIdAndTheSameProfileDefinition() throws Exception {
    JsonSchema meta = FACTORY.getSchema(
        SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
    JsonNode[] trees = new JsonNode[2];
    String[] kinds = {"gpu-profiles", "gpu-profiles-override"};
    for (int i = 0; i < 2; i++) {
      String text = Files.readString(schemaPath(kinds[i]));
      assertNoErrors(meta, text);
      trees[i] = Json.read(kinds[i], text.getBytes(StandardCharsets.UTF_8), JsonNode.class);
      assertEquals("https://gpu-attest.org/schemas/v1/" + kinds[i] + ".schema.json",
          trees[i].get("$id").asText());
    }
    assertEquals(trees[0].at("/$defs/profile"), trees[1].at("/$defs/profile"),
        "an operator's profile is held to the bundled table's rules");
    assertEquals(trees[0].at("/$defs/defaults/properties"),
        trees[1].at("/$defs/defaults/properties"));
  }

  @Test
  void override_thatTheSchemaAccepts_isApplied() throws Exception {
    assertNoErrors(schema("gpu-profiles-override"), GOOD_OVERRIDE);
    GpuProfiles t = ProfileOverrides.apply(GpuProfiles.bundled(), "x",
        GOOD_OVERRIDE.getBytes(StandardCharsets.UTF_8));
    assertEquals(0.15, t.defaults().tolerance());
    assertEquals(14.1, t.find("NVIDIA H100 80GB HBM3").orElseThrow().canonicalTflops());
    assertTrue(t.find("Acme X1").isPresent());
  }

  /** The example in docs/protocol.md §8.6 is a file the schema and the reader accept. */
  @Test
  void protocolDocExample_validatesAndApplies() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "protocol.md"));
    int section = doc.indexOf("### 8.6 GPU profiles");
    int start = doc.indexOf("```json\n", section) + "```json\n".length();
    String example = doc.substring(start, doc.indexOf("```", start));
    assertTrue(section > 0 && start > section, "no example in docs/protocol.md 8.6");
    assertNoErrors(schema("gpu-profiles-override"), example);
    GpuProfiles t = ProfileOverrides.apply(GpuProfiles.bundled(), "protocol.md",
        example.getBytes(StandardCharsets.UTF_8));
    assertEquals(142, t.find("NVIDIA L40S").orElseThrow().smCount());
  }

  /** One tamper per rule: refused by the schema and, with the same field named, the reader. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "\"smCount\": 100|\"smCount\": 0|smCount",
      "\"smCount\": 100|\"smcount\": 100|smcount",
      "\"memoryGiB\": 96, |''|memoryGiB",
      "\"canonicalTflops\": 9.0|\"canonicalTflops\": -1|canonicalTflops",
      "\"canonicalTflops\": 9.0|\"canonicalTflops\": 1e-320|canonicalTflops",
      "\"fp64Tflops\": 40.0|\"fp64Tflops\": 1e300|fp64Tflops",
      "\"memoryGiB\": 96|\"memoryGiB\": 1000000|memoryGiB",
      "\"tolerance\": 0.15|\"slack\": 1e300|slack",
      "\"tolerance\": 0.15|\"commitSeconds\": 86400|commitSeconds",
      "\"fp64Tflops\": 40.0|\"fp64Tflops\": \"40\"|fp64Tflops",
      "\"version\": 1|\"version\": 2|version",
      "\"tolerance\": 0.15|\"tolerance\": 1|tolerance",
      "\"tolerance\": 0.15|\"tolerence\": 0.15|tolerence",
      "\"model\": \"Acme X1\"|\"model\": \" \"|model"})
  void override_tampered_refusedBySchemaAndReader(String from, String to, String field)
      throws Exception {
    assertTrue(GOOD_OVERRIDE.contains(from), from);
    String json = GOOD_OVERRIDE.replaceFirst(java.util.regex.Pattern.quote(from),
        java.util.regex.Matcher.quoteReplacement(to));
    assertFalse(schema("gpu-profiles-override").validate(json, InputFormat.JSON).isEmpty(),
        "the schema accepted " + json);
    BadMessageException e = assertThrows(BadMessageException.class, () -> ProfileOverrides
        .apply(GpuProfiles.bundled(), "x", json.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains(field), e.getMessage());
  }

  @Test
  void override_withNothingToOverride_refusedBySchemaAndReader() throws IOException {
    String json = "{\"version\": 1, \"about\": \"empty\"}";
    assertFalse(schema("gpu-profiles-override").validate(json, InputFormat.JSON).isEmpty());
    assertThrows(BadMessageException.class, () -> ProfileOverrides.apply(GpuProfiles.bundled(),
        "x", json.getBytes(StandardCharsets.UTF_8)));
  }

  private static void assertNoErrors(JsonSchema schema, String json) {
    Set<ValidationMessage> errors = schema.validate(json, InputFormat.JSON);
    assertTrue(errors.isEmpty(), errors.stream().map(ValidationMessage::toString)
        .collect(Collectors.joining("; ")));
  }

  private static JsonSchema schema(String kind) throws IOException {
    try (InputStream in = Files.newInputStream(schemaPath(kind))) {
      return FACTORY.getSchema(in);
    }
  }

  private static Path schemaPath(String kind) {
    return TESTDATA.resolve("schemas").resolve(kind + ".schema.json");
  }
}
