package org.gpuattest.validator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.schema.Schemas;
import org.gpuattest.validator.ScriptProvers;
import org.gpuattest.validator.archive.ArchiveRecord;
import org.gpuattest.validator.archive.ArchiveSignature;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * testdata/schemas/archive-record.schema.json against record.json as 'validator verify'
 * really writes it; and the record's own checks refuse what the schema refuses.
 */
class ArchiveRecordSchemaTest {
  private static final Path SCHEMA =
      Path.of("..", "testdata", "schemas", "archive-record.schema.json");
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
  private static JsonSchema schema;

  @TempDir Path dir;

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in = Files.newInputStream(SCHEMA)) {
      schema = FACTORY.getSchema(in,
          SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
    }
  }

  private static Set<ValidationMessage> errors(String json) {
    return schema.validate(json, InputFormat.JSON);
  }

  @Test
  void schema_isDraft202012() throws Exception {
    Set<ValidationMessage> meta = FACTORY.getSchema(
        SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"))
        .validate(Files.readString(SCHEMA), InputFormat.JSON);
    assertTrue(meta.isEmpty(), meta.toString());
  }

  @Test
  void realRecord_validates_andAlteredOnesDoNot() throws Exception {
    ArchiveFixture x = new ArchiveFixture(dir);
    x.verify("--provider", "lab-1").assertOk();
    String json = Files.readString(x.folder().resolve("record.json"));
    assertEquals(Set.of(), errors(json), json);
    for (String[] edit : new String[][] {
        {"\"command\" : \"verify\"", "\"command\" : \"prove\""},
        {"\"provider\" : \"lab-1\"", "\"provider\" : \"../lab\""},
        {"\"proverFailure\" : null", "\"proverFailure\" : {\"step\": \"prove\","
            + " \"check\": \"prover.exit\"}"},
        {"\"version\" : 1", "\"version\" : 2"},
        {x.challengeId, x.challengeId.toUpperCase(java.util.Locale.ROOT)}}) {
      String altered = json.replace(edit[0], edit[1]);
      assertFalse(altered.equals(json), edit[0]);
      assertFalse(errors(altered).isEmpty(), "the schema accepts " + edit[1]);
      assertThrows(BadMessageException.class,
          () -> Json.read("record", altered.getBytes(), ArchiveRecord.class), edit[1]);
    }
  }

  /** signature.json as 'validator verify' writes it, against archive-signature.schema.json. */
  @Test
  void realSignature_validates_andAlteredOnesDoNot() throws Exception {
    assertEquals(List.of(), Schemas.schemaErrors("archive-signature"));
    ArchiveFixture x = new ArchiveFixture(dir);
    x.verify().assertOk();
    String json = Files.readString(x.folder().resolve("signature.json"));
    assertEquals(List.of(), Schemas.errors("archive-signature", json), json);
    String id = Json.read("signature", json.getBytes(), ArchiveSignature.class)
        .validatorKeyId();
    for (String[] edit : new String[][] {
        {"\"version\" : 1", "\"version\" : 2"},
        {"\"validatorKeyId\" : \"" + id, "\"validatorKeyId\" : \"" + id + "00"},
        {"\"record\" : \"", "\"record\" : \"0"}}) {
      String altered = json.replace(edit[0], edit[1]);
      assertFalse(altered.equals(json), edit[0]);
      assertFalse(Schemas.errors("archive-signature", altered).isEmpty(),
          "the schema accepts " + edit[1]);
    }
  }

  /** The record of a prover's failure in 'attest', with its proverFailure. */
  @Test
  void realFailureRecord_validates() throws Exception {
    Path archive = dir.resolve("archive");
    ValidatorCliHarness.run("attest", "--separate", "--prover",
        ScriptProvers.script(dir, "prover", "exit 3"), "--gpus", "1", "--model",
        ValidatorCliHarness.MODEL, "--dim", "64", "--iterations", "1", "--weak-timing",
        "--replay-dir", dir.resolve("replay").toString(), "--archive", archive.toString());
    Path record;
    try (java.util.stream.Stream<Path> all = Files.walk(archive)) {
      record = all.filter(p -> p.getFileName().toString().equals("record.json")).findFirst()
          .orElseThrow();
    }
    String json = Files.readString(record);
    assertTrue(json.contains("\"check\" : \"prover.exit\""), json);
    assertEquals(Set.of(), errors(json), json);
  }
}
