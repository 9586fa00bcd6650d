package org.gpuattest.attestor.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/demo.sh keeps its standard output for the verdict, so {@code demo.sh --json} prints
 * only JSON: the build it may run writes elsewhere. Run on a copy of the script, in a tree
 * without jars, with a stand-in {@code mvn} that writes what Maven writes (escape codes).
 */
class DemoScriptTest {
  @TempDir Path tree;

  @Test
  void demo_buildOutput_neverOnStdout() throws Exception {
    Path repo = Path.of(System.getProperty("user.dir")).getParent();
    Path scripts = Files.createDirectories(tree.resolve("scripts"));
    Files.copy(repo.resolve("scripts/demo.sh"), scripts.resolve("demo.sh"));
    Path bin = Files.createDirectories(tree.resolve("bin"));
    Path mvn = Files.writeString(bin.resolve("mvn"),
        "#!/bin/sh\nprintf '\\033[0m\\033[0m[INFO] BUILD FAILURE\\n'\nexit 1\n");
    Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
    ProcessBuilder pb = new ProcessBuilder("bash", scripts.resolve("demo.sh").toString(),
        "--json").redirectOutput(tree.resolve("out").toFile())
        .redirectError(tree.resolve("err").toFile());
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    Process p = pb.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertTrue(p.exitValue() != 0, "the stand-in build failed, so must the demo");
    assertEquals("", Files.readString(tree.resolve("out")), "stdout is for the verdict only");
    assertTrue(Files.readString(tree.resolve("err")).contains("BUILD FAILURE"));
  }
}
