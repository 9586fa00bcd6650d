package org.gpuattest.common.schema;

import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The JSON Schemas of testdata/schemas for other modules' tests: real output (a verdict the
 * Verifier wrote, a fleet report) is checked against the schema documented for it, with the
 * same draft and format assertions as {@link SchemaTest}. Tests run in a module directory, so
 * testdata/ is one level up.
 */
public final class Schemas {
  private static final Path SCHEMAS = Path.of("..", "testdata", "schemas");
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
  private static final SchemaValidatorsConfig CONFIG =
      SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

  private Schemas() {}

  /** What the draft 2020-12 meta-schema says is wrong with {@code kind}.schema.json itself. */
  public static List<String> schemaErrors(String kind) {
    try {
      String text = Files.readString(SCHEMAS.resolve(kind + ".schema.json"));
      return FACTORY.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"))
          .validate(text, InputFormat.JSON).stream().map(ValidationMessage::toString).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What {@code kind}.schema.json says is wrong with {@code json}; empty when it is valid. */
  public static List<String> errors(String kind, String json) {
    JsonSchema schema;
    try (InputStream in = Files.newInputStream(SCHEMAS.resolve(kind + ".schema.json"))) {
      schema = FACTORY.getSchema(in, CONFIG);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return schema.validate(json, InputFormat.JSON).stream()
        .map(ValidationMessage::toString).sorted().toList();
  }
}
