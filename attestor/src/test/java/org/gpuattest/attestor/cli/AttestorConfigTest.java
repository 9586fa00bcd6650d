package org.gpuattest.attestor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.serialization.JsonMapperFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.gpuattest.attestor.Backends;
import org.gpuattest.common.BadMessageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The attestor's config file against testdata/schemas/attestor-config.schema.json: the
 * schema's own examples load, relative paths resolve against the file's folder, and each bad
 * field is refused by the schema and by the loader alike, in one line naming file and field.
 */
class AttestorConfigTest {
  private static final Path SCHEMA =
      Path.of("..", "testdata", "schemas", "attestor-config.schema.json");
  @TempDir Path dir;

  private static JsonSchema schema() throws IOException {
    try (var in = Files.newInputStream(SCHEMA)) {
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
    }
  }

  private static JsonNode tree(String json) throws IOException {
    return JsonMapperFactory.getInstance().readTree(json);
  }

  private Path write(String json) throws IOException {
    return Files.writeString(dir.resolve("config.json"), json);
  }

  @Test
  void schema_isDraft202012WithIdAndTitle() throws IOException {
    JsonNode s = tree(Files.readString(SCHEMA));
    assertEquals("https://json-schema.org/draft/2020-12/schema", s.get("$schema").asText());
    assertEquals("https://gpu-attest.org/schemas/v1/attestor-config.schema.json",
        s.get("$id").asText());
    assertEquals("AttestorConfig", s.get("title").asText());
  }

  /** The schema's examples are valid and load, with the first one's paths resolved. */
  @Test
  void load_schemaExamples_validAndRead() throws Exception {
    ArrayNode examples = (ArrayNode) tree(Files.readString(SCHEMA)).get("examples");
    assertEquals(2, examples.size());
    for (JsonNode e : examples) {
      assertEquals(Set.of(), schema().validate(e.toString(), InputFormat.JSON), e.toString());
    }
    Path file = write(examples.get(0).toString());
    AttestorConfig c = AttestorConfig.load("--config", file);
    assertEquals(List.of(dir.resolve("validators/alpha.pub.pem"),
        Path.of("/etc/gpu-attest/beta.pub.pem")), c.validatorKeyPaths());
    assertEquals(dir.resolve("prover.pem"), c.signingKeyPath());
    assertEquals(Path.of("/var/lib/gpu-attest/state"), c.statePath());
    assertEquals(Backends.Choice.CUDA, c.backendChoice());
    assertEquals(List.of(0, 1), c.devices());
    assertEquals(Backends.ProductKernelChoice.AUTO, c.productKernelChoice());
    AttestorConfig bare = AttestorConfig.load("--config", write(examples.get(1).toString()));
    assertEquals(List.of(), bare.validatorKeyPaths());
    assertNull(bare.signingKeyPath());
    assertNull(bare.statePath());
    assertNull(bare.backendChoice());
    assertNull(bare.devices());
    assertNull(bare.productKernelChoice());
  }

  /** A relative path means the same file wherever the attestor is started from. */
  @Test
  void load_relativePaths_resolvedAgainstTheFilesFolderNotTheWorkingDirectory()
      throws Exception {
    Path sub = Files.createDirectories(dir.resolve("etc/attestor"));
    Path file = Files.writeString(sub.resolve("c.json"),
        "{\"version\":1,\"validatorKeys\":[\"../keys/v.pem\"],\"state\":\"state\"}");
    AttestorConfig c = AttestorConfig.load("--config", file);
    assertEquals(List.of(sub.resolve("../keys/v.pem")), c.validatorKeyPaths());
    assertEquals(sub.resolve("state"), c.statePath());
    assertTrue(c.statePath().isAbsolute());
  }

  /** One change per schema rule: the schema refuses it with that keyword, the loader too. */
  static Stream<Arguments> badFields() {
    return Stream.of(
        bad("unknown field", "additionalProperties", "unknown field 'nonce'",
            n -> n.put("nonce", 7)),
        bad("version 2", "const", "version 2 of the attestor config is unknown",
            n -> n.put("version", 2)),
        bad("no version", "required", "field 'version' is required", n -> n.remove("version")),
        bad("backend gpu", "enum", "backend must be auto, cuda or cpu, got 'gpu'",
            n -> n.put("backend", "gpu")),
        bad("backend in capitals", "enum", "backend must be auto, cuda or cpu",
            n -> n.put("backend", "CUDA")),
        bad("negative device", "minimum", "devices[1] must not be negative",
            n -> n.putArray("devices").add(0).add(-1)),
        bad("no devices", "minItems", "devices (count) must be in [1, 64]",
            n -> n.putArray("devices")),
        bad("device as a string", "type", "devices[0]",
            n -> n.putArray("devices").add("0")),
        bad("device null", "type", "'devices[0]' is required",
            n -> n.putArray("devices").addNull()),
        bad("no validator keys", "minItems", "validatorKeys is empty",
            n -> n.putArray("validatorKeys")),
        bad("validator key empty", "pattern", "validatorKeys[0] is empty",
            n -> n.putArray("validatorKeys").add("")),
        bad("validator keys a string", "type", "validatorKeys",
            n -> n.put("validatorKeys", "v.pem")),
        bad("signing key a number", "type", "signingKey", n -> n.put("signingKey", 7)),
        bad("state blank", "pattern", "state is empty", n -> n.put("state", "   ")),
        bad("state null", "type", "state", n -> n.putNull("state")),
        bad("product kernel with an underscore", "enum",
            "productKernel must be auto, ffma, dmma or dmma-wide, got 'dmma_wide'",
            n -> n.put("productKernel", "dmma_wide")),
        bad("product kernel null", "enum", "field 'productKernel' is null",
            n -> n.putNull("productKernel")),
        bad("state too long", "maxLength", "state is longer than 512 characters",
            n -> n.put("state", "s".repeat(513))));
  }

  private static Arguments bad(String what, String keyword, String message,
      Consumer<ObjectNode> change) {
    return Arguments.of(what, keyword, message, change);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFields")
  void load_badField_refusedBySchemaAndLoaderNamingFileAndField(String what, String keyword,
      String message, Consumer<ObjectNode> change) throws Exception {
    ObjectNode n = (ObjectNode) tree("{\"version\":1,\"backend\":\"cpu\"}");
    change.accept(n);
    Set<ValidationMessage> errors = schema().validate(n.toString(), InputFormat.JSON);
    assertFalse(errors.isEmpty(), what + " passed the schema");
    for (ValidationMessage m : errors) {
      assertEquals(keyword, m.getType(), what + ": " + m);
    }
    Path file = write(n.toString());
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> AttestorConfig.load("", file), what + " was loaded");
    assertTrue(e.getMessage().startsWith("config file " + file + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(message), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void load_missingFile_refusedNamingTheOption() {
    Path missing = dir.resolve("nope.json");
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> AttestorConfig.load("--config", missing));
    assertEquals("--config: " + missing + ": no such file", e.getMessage());
  }

  @Test
  void load_notJson_refusedInOneLine() throws Exception {
    Path file = write("version = 1\n");
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> AttestorConfig.load("--config", file));
    assertTrue(e.getMessage().startsWith("--config: " + file + ": invalid JSON"),
        e.getMessage());
  }

  @Test
  void load_tooLarge_refusedWithoutReadingIt() throws Exception {
    Path file = write("{\"version\":1}" + " ".repeat(AttestorConfig.MAX_BYTES));
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> AttestorConfig.load("--config", file));
    assertTrue(e.getMessage().contains("too large for a config file"), e.getMessage());
  }

  @Test
  void load_aFolder_refusedSayingItIsAFolder() {
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> AttestorConfig.load("--config", dir));
    assertEquals("--config: " + dir + ": is a folder, not a config file", e.getMessage());
  }
}
