package org.gpuattest.kernels.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Test helpers for the checks that need the CUDA toolkit: where the project root is, where
 * nvcc and ptxas are (on PATH, else /usr/local/cuda/bin), and running them.
 */
final class CudaToolchain {
  private CudaToolchain() {}

  /** The project root: the folder above the kernels module that holds ptx/ and scripts/. */
  static Path projectRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("ptx"))
          && Files.isRegularFile(p.resolve("scripts/build-ptx.sh"))) {
        return p;
      }
    }
    throw new IllegalStateException("no project root (with ptx/ and scripts/build-ptx.sh) above "
        + dir);
  }

  /** An executable named {@code name} on PATH or in /usr/local/cuda/bin. */
  static Optional<Path> find(String name) {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        if (dir.isEmpty()) {
          continue;
        }
        Path candidate = Path.of(dir, name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    Path fallback = Path.of("/usr/local/cuda/bin", name);
    return Files.isExecutable(fallback) ? Optional.of(fallback) : Optional.empty();
  }

  /** Exit code and the merged stdout and stderr of a finished command. */
  record Result(int exitCode, String output) {}

  static Result run(List<String> command, Path workDir, long timeoutSeconds)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectErrorStream(true);
    Path log = Files.createTempFile("cuda-tool", ".log");
    try {
      pb.redirectOutput(log.toFile());
      Process process = pb.start();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(command + " ran past " + timeoutSeconds + " s");
      }
      return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
