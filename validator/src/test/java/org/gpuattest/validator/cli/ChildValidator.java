package org.gpuattest.validator.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The validator CLI in a JVM of its own, as a user starts it: for what only a separate process
 * shows (signals, file locks between processes, a small heap).
 */
final class ChildValidator {
  private ChildValidator() {}

  static ProcessBuilder builder(List<String> jvmOptions, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    // The test JVM's home (target/test-home, see the parent pom), so default stores stay there.
    cmd.add("-Duser.home=" + System.getProperty("user.home"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ValidatorCli.class.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd);
  }

  static Process start(List<String> jvmOptions, Path stdout, Path stderr, String... args)
      throws IOException {
    return builder(jvmOptions, args).redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile()).start();
  }
}
