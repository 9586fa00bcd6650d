package org.gpuattest.attestor.e2e;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Running an unpacked bundle's files as a user would on a host with no Java of its own: PATH led
 * by a {@code java} that fails loudly, no JAVA_HOME, the tools' files in a home of their own.
 * Shared by the bundle's IT and the service add-on's (service module, through this module's
 * test jar).
 */
public final class BundleRuns {
  /** What the failing java prints: seen on stderr, a launcher used it. */
  public static final String FAKE_JAVA_SAYS = "the Java on PATH was used";

  private BundleRuns() {}

  /** A finished process: its exit code, stdout and stderr. */
  public record Result(int code, String out, String err) {}

  /** A folder holding a {@code java} that prints {@link #FAKE_JAVA_SAYS} and exits 97. */
  public static Path fakeJavaBin(Path dir) throws Exception {
    Path bin = Files.createDirectories(dir);
    Path fake = Files.writeString(bin.resolve("java"),
        "#!/bin/sh\necho '" + FAKE_JAVA_SAYS + "' >&2\nexit 97\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin;
  }

  /**
   * Runs {@code file} of the bundle unpacked at {@code home} with {@code env} added, PATH led by
   * {@code fakeJavaBin}, and GPU_ATTEST_HOME a new folder under {@code tmp}.
   */
  public static Result runIn(Path tmp, Path fakeJavaBin, Path home, int seconds,
      Map<String, String> env, String file, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(home.resolve(file).toString());
    cmd.addAll(List.of(args));
    Map<String, String> all = new HashMap<>(env);
    all.put("PATH", fakeJavaBin + ":" + System.getenv("PATH"));
    all.put("GPU_ATTEST_HOME", Files.createTempDirectory(tmp, "home").toString());
    return run(tmp, all, seconds, cmd.toArray(new String[0]));
  }

  /**
   * Runs {@code cmd} in {@code tmp} without JAVA_HOME, {@code env} added, stdin empty; a
   * process still running after {@code seconds} is killed and fails the test.
   */
  public static Result run(Path tmp, Map<String, String> env, int seconds, String... cmd)
      throws Exception {
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().remove("JAVA_HOME");
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", cmd) + ": still running after " + seconds
          + " s; stderr:\n" + Files.readString(err));
    }
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }
}
