package org.gpuattest.common.message;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What every refusal a user can see must look like (issue 5): one line, and none of Jackson's
 * internals (Java class names, tokens, backticks, source locations, configuration switches).
 * Shared by the focused wording tests and the fuzzer.
 */
final class MessageWording {
  static final String[] FORBIDDEN = {
    "java.", "org.gpuattest", "com.fasterxml", "JsonToken", "`", "Cannot deserialize",
    "Cannot construct", "Cannot coerce", "(through reference chain", "[Source:", "REDACTED",
    "DeserializationFeature", "CoercionConfig", "StreamReadConstraints", "Exception"};

  private MessageWording() {}

  /** null when {@code message} is one clean line, otherwise what is wrong with it. */
  static String problem(String message) {
    if (message == null || message.isBlank()) {
      return "no message";
    }
    if (message.contains("\n") || message.contains("\r")) {
      return "several lines: " + message;
    }
    for (String f : FORBIDDEN) {
      if (message.contains(f)) {
        return "contains '" + f + "': " + message;
      }
    }
    return null;
  }

  /** testdata/examples/{name}.json, as written by ExampleMessages. */
  static byte[] example(String name) throws IOException {
    return Files.readAllBytes(Path.of("..", "testdata", "examples", name + ".json"));
  }

  static String exampleText(String name) throws IOException {
    return new String(example(name), StandardCharsets.UTF_8);
  }
}
