package org.gpuattest.common.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.serialization.JsonMapperFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.merkle.InclusionProof;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Preparation;
import org.gpuattest.common.message.Ready;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MemoryRoots;
import org.gpuattest.common.message.MemorySeed;
import org.gpuattest.common.message.Opening;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Openings;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.common.spec.CommitmentDigest;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.spec.RowHash;
import org.gpuattest.common.util.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The JSON Schemas in testdata/schemas against the message records: every example in
 * testdata/examples (written by {@link ExampleMessages}) validates, reads into its record, and
 * validates again once the record is written back; one tamper per schema rule is refused by
 * both the schema and {@link Json#read}. Trees are parsed with the validator library's own
 * mapper, so no test constructs an ObjectMapper either.
 */
class SchemaTest {
  private static final Path TESTDATA = Path.of("..", "testdata");
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
  // Draft 2020-12 makes "format" an annotation; the date-time fields are meant to be checked.
  private static final SchemaValidatorsConfig CONFIG =
      SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

  /** The message kinds: file stem, record type. */
  static Stream<Arguments> messages() {
    return Stream.of(
        Arguments.of("preparation", Preparation.class),
        Arguments.of("ready", Ready.class),
        Arguments.of("challenge", Challenge.class),
        Arguments.of("commitment", Commitment.class),
        Arguments.of("memory-seed", MemorySeed.class),
        Arguments.of("memory-roots", MemoryRoots.class),
        Arguments.of("opening-request", OpeningRequest.class),
        Arguments.of("openings", Openings.class),
        Arguments.of("verdict", Verdict.class));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("messages")
  void validate_example_hasNoErrors(String kind, Class<?> type) throws IOException {
    assertValid(kind, example(kind));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("messages")
  void read_example_buildsRecord(String kind, Class<?> type) throws Exception {
    Object record = Json.read(kind, Files.readAllBytes(examplePath(kind)), type);
    assertEquals(type, record.getClass());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("messages")
  void validate_reserialisedRecord_hasNoErrors(String kind, Class<?> type) throws Exception {
    String json = Json.writeString(Json.read(kind, Files.readAllBytes(examplePath(kind)), type));
    assertValid(kind, json);
    assertEquals(example(kind), json, kind + " does not survive read and write unchanged");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("messages")
  void schema_file_isDraft202012WithIdAndTitle(String kind, Class<?> type) throws IOException {
    String text = Files.readString(schemaPath(kind));
    Set<ValidationMessage> errors =
        FACTORY.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"))
            .validate(text, InputFormat.JSON);
    assertTrue(errors.isEmpty(), kind + " schema against the meta-schema: " + errors);
    JsonNode schema = tree(text);
    assertEquals("https://json-schema.org/draft/2020-12/schema", schema.get("$schema").asText());
    assertEquals("https://gpu-attest.org/schemas/v1/" + kind + ".schema.json",
        schema.get("$id").asText());
    assertEquals(type.getSimpleName(), schema.get("title").asText());
  }

  @Test
  void examples_matchGenerator() throws IOException {
    for (Map.Entry<String, String> e : ExampleMessages.generate().entrySet()) {
      assertEquals(e.getValue(), Files.readString(TESTDATA.resolve("examples").resolve(e.getKey())),
          e.getKey() + " is stale; regenerate it as testdata/examples/README.md says");
    }
  }

  /** The examples' digests, signatures and audit paths hold, checked without the generator. */
  @Test
  void examples_areInternallyConsistent() throws Exception {
    byte[] challengeBytes = Files.readAllBytes(examplePath("challenge"));
    Challenge challenge = Json.read("challenge", challengeBytes, Challenge.class);
    Commitment commitment = read("commitment", Commitment.class);
    OpeningRequest request = read("opening-request", OpeningRequest.class);
    Openings openings = read("openings", Openings.class);
    Verdict verdict = read("verdict", Verdict.class);

    challenge.verifySignature();
    String challengeDigest = Hex.encode(CommitmentDigest.challengeDigest(challengeBytes));
    assertEquals(challengeDigest, commitment.challengeDigest());
    assertEquals(commitment.commitmentDigest(), Hex.encode(commitment.recomputedDigest()));
    assertEquals(challengeDigest, request.challengeDigest());
    assertEquals(commitment.commitmentDigest(), request.commitmentDigest());
    assertEquals(challengeDigest, openings.challengeDigest());
    assertEquals(commitment.commitmentDigest(), openings.commitmentDigest());
    assertEquals(challenge.samples(), request.samples().size());
    assertEquals(challenge.id(), verdict.challengeId());
    assertTrue(verdict.passed());

    PhiloxKey key = challenge.philoxKey();
    int n = challenge.dim();
    assertEquals(request.samples().size(), openings.openings().size());
    for (int k = 0; k < openings.openings().size(); k++) {
      Opening o = openings.openings().get(k);
      assertEquals(request.samples().get(k), o.sample());
      double[] c = Reference.matrix(key, o.device(), o.iteration(), n,
          Operands.matrixB(key, o.device(), n));
      byte[] rowLeaf = RowHash.leaf(c, o.row() * n, n);
      byte[] matrixRoot = Hex.decode("matrixRoot", o.matrixRoot(), 32);
      InclusionProof.verify("row " + o.row(), o.row(), n, rowLeaf,
          Opening.decodePath(o.rowPath()), matrixRoot);
      InclusionProof.verify("r(" + o.device() + "," + o.iteration() + ")", o.iteration(),
          challenge.iterations(), MerkleTree.leafHash(matrixRoot),
          Opening.decodePath(o.matrixPath()), commitment.devices().get(o.device()).rootBytes());
    }
  }

  /**
   * One tamper per schema rule: the schema must refuse it with that keyword only, and the record
   * with its own message about the same field.
   */
  static Stream<Arguments> tampered() {
    return Stream.of(
        tamper("preparation", "seed given", "additionalProperties",
            "unknown field 'seed'", n -> obj(n).put("seed", "00".repeat(32))),
        tamper("preparation", "dim 100", "multipleOf", "dim must be a multiple of 64",
            n -> obj(n).put("dim", 100)),
        tamper("ready", "devices 0", "minimum", "devices must be in [1, 64]",
            n -> obj(n).put("devices", 0)),
        tamper("ready", "backend without deviceNames", "dependentRequired",
            "backend and deviceNames come together", n -> obj(n).remove("deviceNames")),
        tamper("ready", "backend gpu", "enum", "backend must be 'cuda' or 'cpu'",
            n -> obj(n).put("backend", "gpu")),
        tamper("challenge", "extra top-level field", "additionalProperties",
            "unknown field 'nonce'", n -> obj(n).put("nonce", 7)),
        tamper("challenge", "dim 100", "multipleOf", "dim must be a multiple of 64",
            n -> obj(n).put("dim", 100)),
        tamper("challenge", "dim 16448", "maximum", "dim must be in [64, 16384]",
            n -> obj(n).put("dim", 16448)),
        tamper("challenge", "seed missing", "required", "field 'seed' is required",
            n -> obj(n).remove("seed")),
        tamper("challenge", "version 2", "const", "version 2 of the challenge is unknown",
            n -> obj(n).put("version", 2)),
        tamper("challenge", "id of 30 hex digits", "pattern", "id must be 32 hex digits",
            n -> obj(n).put("id", "00".repeat(15))),
        tamper("challenge", "issuedAt not a date-time", "format",
            "issuedAt is not an ISO-8601 instant", n -> obj(n).put("issuedAt", "yesterday")),
        tamper("challenge", "signature without key", "dependentRequired",
            "validatorPublicKey and signature come together",
            n -> obj(n).remove("validatorPublicKey")),
        tamper("challenge", "key without signature", "dependentRequired",
            "validatorPublicKey and signature come together", n -> obj(n).remove("signature")),
        tamper("challenge", "iterations 0", "minimum", "iterations must be in [1, 1048576]",
            n -> obj(n).put("iterations", 0)),
        tamper("challenge", "samples 4097", "maximum", "samples must be in [1, 4096]",
            n -> obj(n).put("samples", 4097)),
        tamper("challenge", "dim as a string", "type", "field 'dim'",
            n -> obj(n).put("dim", "64")),
        tamper("challenge", "memory passes 257", "maximum",
            "memory.passes must be in [1, 256]", n -> obj(n.at("/memory")).put("passes", 257)),
        tamper("challenge", "memory version 2", "const",
            "version 2 of the challenge's memory is unknown",
            n -> obj(n.at("/memory")).put("version", 2)),
        tamper("preparation", "memory kept missing", "required",
            "field 'memory.kept' is required", n -> obj(n.at("/memory")).remove("kept")),
        tamper("memory-seed", "seed of 62 hex digits", "pattern", "seed must be 64 hex digits",
            n -> obj(n).put("seed", "ab".repeat(31))),
        tamper("memory-roots", "a device without roots", "minItems",
            "roots (count) must be in [1, 256]",
            n -> ((ArrayNode) n.at("/devices/0/roots")).removeAll()),
        tamper("memory-roots", "extra field", "additionalProperties",
            "unknown field 'passNanos'", n -> obj(n).put("passNanos", 5)),
        tamper("opening-request", "negative pass", "minimum", "pass must not be negative",
            n -> obj(n.at("/samples/0")).put("pass", -1)),
        tamper("openings", "memory value of 15 hex digits", "pattern",
            "memory.value must be 16 hex digits",
            n -> obj(n.at("/openings/0/memory")).put("value", "0".repeat(15))),
        tamper("commitment", "extra field in a device", "additionalProperties",
            "unknown field 'devices[0].firmware'",
            n -> obj(n.at("/devices/0")).put("firmware", "96.00.5E.00.01")),
        tamper("commitment", "extra field in timing", "additionalProperties",
            "unknown field 'devices[0].timing.wallNanos'",
            n -> obj(n.at("/devices/0/timing")).put("wallNanos", 1)),
        tamper("commitment", "backend rocm", "enum", "backend must be 'cuda' or 'cpu'",
            n -> obj(n.at("/devices/1")).put("backend", "rocm")),
        tamper("commitment", "smCount 0", "minimum", "smCount must be in [1, 1024]",
            n -> obj(n.at("/devices/0")).put("smCount", 0)),
        tamper("commitment", "negative startNanos", "minimum", "must not be negative",
            n -> obj(n.at("/devices/0/timing")).put("startNanos", -1)),
        tamper("commitment", "negative blocksPerSm entry", "minimum",
            "blocksPerSm must not be negative",
            n -> ((ArrayNode) n.at("/devices/0/smMonitor/blocksPerSm")).set(3, -1)),
        tamper("commitment", "busyFraction 1.5", "maximum", "busyFraction must be in [0, 1]",
            n -> obj(n.at("/devices/0/smMonitor")).put("busyFraction", 1.5)),
        tamper("commitment", "root not hex", "pattern", "root is not hexadecimal",
            n -> obj(n.at("/devices/0")).put("root", "zz".repeat(32))),
        tamper("commitment", "no devices", "minItems", "devices (count) must be in [1, 64]",
            n -> ((ArrayNode) n.get("devices")).removeAll()),
        tamper("commitment", "timing missing", "required",
            "field 'devices[0].timing' is required",
            n -> obj(n.at("/devices/0")).remove("timing")),
        tamper("opening-request", "extra field in a sample", "additionalProperties",
            "unknown field 'samples[0].weight'", n -> obj(n.at("/samples/0")).put("weight", 1)),
        tamper("opening-request", "negative row", "minimum", "must not be negative",
            n -> obj(n.at("/samples/1")).put("row", -1)),
        tamper("opening-request", "no samples", "minItems", "samples (count) must be in [1, 4096]",
            n -> ((ArrayNode) n.get("samples")).removeAll()),
        tamper("openings", "rowPath entry of 62 hex digits", "pattern",
            "rowPath[0] must be 64 hex digits",
            n -> ((ArrayNode) n.at("/openings/0/rowPath")).set(0, "ab".repeat(31))),
        tamper("openings", "rowPath of 65 entries", "maxItems", "rowPath has 65 entries", n -> {
          ArrayNode path = (ArrayNode) n.at("/openings/0/rowPath");
          while (path.size() < 65) {
            path.add("00".repeat(32));
          }
        }),
        tamper("openings", "matrixPath missing", "required",
            "field 'openings[2].matrixPath' is required",
            n -> obj(n.at("/openings/2")).remove("matrixPath")),
        tamper("verdict", "status unknown", "enum", "status must be pass, fail or skipped",
            n -> obj(n.at("/checks/0")).put("status", "ok")),
        tamper("verdict", "pass with a failed check", "not", "result 'pass' disagrees",
            n -> obj(n.at("/checks/1")).put("status", "fail")),
        tamper("verdict", "fail with no failed check", "minContains", "result 'fail' disagrees",
            n -> obj(n).put("result", "fail")),
        tamper("verdict", "check message missing", "required",
            "field 'checks[2].message' is required",
            n -> obj(n.at("/checks/2")).remove("message")),
        tamper("verdict", "extra field in the attestation", "additionalProperties",
            "unknown field 'attestation.region'",
            n -> obj(n.at("/attestation")).put("region", "eu")),
        tamper("verdict", "attestation dim as a string", "type", "field 'attestation.dim'",
            n -> obj(n.at("/attestation")).put("dim", "64")),
        tamper("verdict", "proverKeyId of 15 hex digits", "pattern",
            "proverKeyId must be 16 lower-case hex digits",
            n -> obj(n.at("/attestation")).put("proverKeyId", "0123456789abcde")),
        tamper("verdict", "negative tflopsPerGpu", "minimum",
            "timing.tflopsPerGpu must not be negative",
            n -> obj(n.at("/attestation/timing")).put("tflopsPerGpu", -1.0)),
        tamper("verdict", "attestation timing missing", "required",
            "field 'attestation.timing' is required",
            n -> obj(n.at("/attestation")).remove("timing")));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("tampered")
  void validate_tamperedExample_failsAndReadRefuses(String kind, String what, String keyword,
      String readMessage, Consumer<JsonNode> change) throws IOException {
    JsonNode node = tree(example(kind));
    change.accept(node);
    String json = node.toString();
    Set<ValidationMessage> errors = schema(kind).validate(json, InputFormat.JSON);
    assertFalse(errors.isEmpty(), kind + " with " + what + " passed the schema");
    for (ValidationMessage m : errors) {
      assertEquals(keyword, m.getType(), kind + " with " + what + ": " + m);
    }
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> Json.read(kind, json.getBytes(StandardCharsets.UTF_8), recordType(kind)),
        kind + " with " + what + " was read by the record");
    assertTrue(e.getMessage().contains(readMessage), e.getMessage());
  }

  private static Arguments tamper(String kind, String what, String keyword, String readMessage,
      Consumer<JsonNode> change) {
    return Arguments.of(kind, what, keyword, readMessage, change);
  }

  private static Class<?> recordType(String kind) {
    return messages().filter(a -> a.get()[0].equals(kind))
        .map(a -> (Class<?>) a.get()[1]).findFirst().orElseThrow();
  }

  private static ObjectNode obj(JsonNode node) {
    return (ObjectNode) node;
  }

  private static void assertValid(String kind, String json) throws IOException {
    Set<ValidationMessage> errors = schema(kind).validate(json, InputFormat.JSON);
    List<String> lines = new ArrayList<>();
    errors.forEach(m -> lines.add(m.toString()));
    assertTrue(lines.isEmpty(), kind + ": " + String.join("; ", lines));
  }

  private static JsonSchema schema(String kind) throws IOException {
    try (InputStream in = Files.newInputStream(schemaPath(kind))) {
      return FACTORY.getSchema(in, CONFIG);
    }
  }

  private static <T> T read(String kind, Class<T> type) throws IOException, BadMessageException {
    return Json.read(kind, Files.readAllBytes(examplePath(kind)), type);
  }

  private static JsonNode tree(String json) throws IOException {
    return JsonMapperFactory.getInstance().readTree(json);
  }

  private static String example(String kind) throws IOException {
    return Files.readString(examplePath(kind), StandardCharsets.UTF_8);
  }

  private static Path examplePath(String kind) {
    return TESTDATA.resolve("examples").resolve(kind + ".json");
  }

  private static Path schemaPath(String kind) {
    return TESTDATA.resolve("schemas").resolve(kind + ".schema.json");
  }
}
