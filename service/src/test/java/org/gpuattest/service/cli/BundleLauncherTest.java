package org.gpuattest.service.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundle's launcher (scripts/bundle/launcher, installed as bin/validator) and 'serve': it
 * runs lib/validator-service.jar, which the service add-on (scripts/bundle.sh --service) unpacks
 * into the bundle, for 'serve' only, and without the add-on says in one line what to unpack,
 * exit 2. Run on a bundle's layout whose runtime/bin/java prints the arguments it was given
 * (BundleScriptIT runs the real bundle).
 */
class BundleLauncherTest {
  private static final Path LAUNCHER = Path.of("..", "scripts", "bundle", "launcher");

  @TempDir Path home;

  @BeforeEach
  void layout() throws Exception {
    for (String dir : List.of("bin", "lib", "runtime/bin")) {
      Files.createDirectories(home.resolve(dir));
    }
    executable(home.resolve("bin/validator"), Files.readString(LAUNCHER));
    executable(home.resolve("bin/attestor"), Files.readString(LAUNCHER));
    executable(home.resolve("runtime/bin/java"), "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\";"
        + " done\n");
    Files.writeString(home.resolve("lib/validator.jar"), "");
    Files.writeString(home.resolve("lib/attestor.jar"), "");
  }

  @Test
  void serve_withoutTheAddOn_oneLineSayingWhatToUnpack_exit2() throws Exception {
    Run r = run("bin/validator", "serve", "--fleet", "fleet.json");
    assertEquals(2, r.code, r.err);
    assertEquals("", r.out, "no JVM started");
    assertEquals(1, r.err.lines().count(), r.err);
    assertTrue(r.err.startsWith("validator: 'serve' needs the service add-on: unpack"
        + " gpu-attest-service-<version>-linux-x86_64.tar.gz (scripts/bundle.sh --service)"),
        r.err);
  }

  @Test
  void serve_withTheAddOn_runsTheServiceJar_otherCommandsTheValidatorJar() throws Exception {
    Files.writeString(home.resolve("lib/validator-service.jar"), "");
    Path service = home.toRealPath().resolve("lib/validator-service.jar");
    Path validator = home.toRealPath().resolve("lib/validator.jar");
    Run serve = run("bin/validator", "serve", "--check", "--fleet", "f.json");
    assertEquals(0, serve.code, serve.err);
    assertTrue(serve.out.endsWith("\n-jar\n" + service + "\nserve\n--check\n--fleet\nf.json\n"),
        serve.out);
    Run debug = run("bin/validator", "--debug", "serve");
    assertTrue(debug.out.endsWith("\n-jar\n" + service + "\n--debug\nserve\n"), debug.out);
    Run attest = run("bin/validator", "attest", "serve");
    assertTrue(attest.out.endsWith("\n-jar\n" + validator + "\nattest\nserve\n"), attest.out);
    Run attestor = run("bin/attestor", "serve");
    assertTrue(attestor.out.endsWith("\n-jar\n" + home.toRealPath().resolve("lib/attestor.jar")
        + "\nserve\n"), "only the validator's launcher has 'serve': " + attestor.out);
  }

  private record Run(int code, String out, String err) {}

  private Run run(String file, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(home.resolve(file).toString()));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(home, "out", ".txt");
    Path err = Files.createTempFile(home, "err", ".txt");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(cmd + " still running after 30 s");
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static void executable(Path file, String text) throws Exception {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
