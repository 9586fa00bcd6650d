package org.gpuattest.attestor.cli;

import static org.gpuattest.attestor.cli.AttestorCliHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.gpuattest.attestor.cli.AttestorCliHarness.Result;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.cli.HelpTexts;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.crypto.Ed25519PublicKey;
import org.gpuattest.common.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The attestor's commands that need no challenge: {@code devices}, {@code keygen},
 * {@code selftest}, {@code bench}, help and usage errors, against docs/cli.md's exit codes
 * (0 ok, 2 bad usage or input, 3 runtime failure) with one stderr line per error. This build
 * runs without a GPU (CUDA over a fake driver is in CudaCliTest), so "no GPU" is the expected
 * answer wherever one is asked for.
 */
class AttestorCliTest {
  @TempDir Path dir;

  @Test
  void devices_noGpu_saysSoPlainly() {
    Result r = run("devices").assertOk();
    assertTrue(r.out().startsWith("No GPUs: no NVIDIA driver: libcuda.so.1"), r.describe());
    assertTrue(r.out().contains("CPU backend: "), r.describe());
    assertEquals("", r.err());
  }

  @Test
  void devices_json_listsNoGpus() throws Exception {
    Result r = run("devices", "--json").assertOk();
    Map<?, ?> listing = Json.read("devices", r.out().getBytes(StandardCharsets.UTF_8), Map.class);
    assertEquals(List.of(), listing.get("gpus"), r.describe());
    assertTrue(listing.get("cpuThreads") instanceof Integer i && i >= 1, r.describe());
    // The build runs tests with the Vector API enabled, as the launchers do: the plain kernel
    // for a command's small work, the vector kernel for large work (CpuKernels).
    String kernel = String.valueOf(listing.get("cpuKernel"));
    assertTrue(kernel.startsWith("scalar 4x4 below ") && kernel.contains(", the vector kernel (Java Vector API"),
        r.describe());
    assertEquals("", r.err());
  }

  @Test
  void keygen_newFile_writesPrivatePemAndPrintsPublicPem() throws Exception {
    Path key = Files.createDirectory(dir.resolve("keys")).resolve("prover.pem");
    Result r = run("keygen", "--out", key.toString()).assertOk();
    String pem = Files.readString(key);
    assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----\n"), pem);
    assertTrue(pem.strip().endsWith("-----END PRIVATE KEY-----"), pem);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    assertTrue(r.out().startsWith("-----BEGIN PUBLIC KEY-----\n"), r.describe());
    assertTrue(r.out().strip().endsWith("-----END PUBLIC KEY-----"), r.describe());
    Ed25519PublicKey printed = Ed25519PublicKey.fromPem("stdout", r.out());
    assertTrue(Ed25519PrivateKey.fromPem("file", pem).publicKey().sameKeyAs(printed),
        "stdout holds the public half of the key written");
    assertEquals("attestor keygen: private key written to " + key + " (mode 0600); public key"
        + " id " + printed.keyId() + "\n", r.err());
    try (Stream<Path> files = Files.list(key.getParent())) {
      assertEquals(List.of(key), files.toList(), "no temporary file is left beside the key");
    }
  }

  @Test
  void keygen_existingFile_exit2AndFileUnchanged() throws IOException {
    Path key = dir.resolve("prover.pem");
    byte[] before = "an existing key\n".getBytes(StandardCharsets.US_ASCII);
    Files.write(key, before);
    run("keygen", "--out", key.toString()).assertBadInput("--out");
    assertArrayEquals(before, Files.readAllBytes(key));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(key), files.toList());
    }
  }

  @Test
  void keygen_missingOut_exit2NamingOut() {
    run("keygen").assertBadInput("--out");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"selftest", "bench"})
  void gpuCommands_noGpu_exit3OneLine(String command) {
    run(command).assertFailure(ExitCodes.RUNTIME, "cuda backend: no NVIDIA driver");
  }

  @Test
  void cli_help_exit0ListsExitCodes() {
    Result r = run("--help").assertOk();
    assertEquals("", r.err());
    assertTrue(r.out().contains("Exit codes:"), r.describe());
    for (String code : new String[] {"0", "2", "3"}) {
      assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith(code + " ")),
          () -> "exit code " + code + " is not listed: " + r.describe());
    }
    assertTrue(r.out().contains("bad usage or bad input"), r.describe());
  }

  /**
   * Each command lists the exit codes it returns: 1 only under selftest (the only one that
   * returns it), and the root's list says so; no subcommand inherits the root's 1.
   */
  @Test
  void help_eachCommand_listsOnlyTheExitCodesItReturns() {
    Map<Integer, String> root = HelpTexts.exitCodes(run("--help").assertOk().out());
    assertEquals(List.of(0, 1, 2, 3), List.copyOf(root.keySet()), root.toString());
    assertTrue(root.get(1).startsWith("selftest: "), root.toString());
    for (String command : AttestorCli.SUBCOMMANDS) {
      Result r = run(command, "--help").assertOk();
      Map<Integer, String> codes = HelpTexts.exitCodes(r.out());
      assertEquals(command.equals("selftest") ? List.of(0, 1, 2, 3) : List.of(0, 2, 3),
          List.copyOf(codes.keySet()), () -> command + ": " + r.describe());
    }
  }

  /** Every usage error points at '<command> --help', so that must work on subcommands too. */
  @ParameterizedTest(name = "{0} --help")
  @ValueSource(strings = {"devices", "prove", "open", "keygen", "selftest", "bench"})
  void subcommand_help_exit0(String command) {
    Result r = run(command, "--help").assertOk();
    assertEquals("", r.err());
    assertTrue(r.out().contains("Usage: attestor " + command), r.describe());
  }

  /** The version is the build's (the pom's, which surefire passes), never a literal. */
  @Test
  void cli_version_exit0PrintsTheProjectVersion() {
    String project = System.getProperty("project.version");
    assertNotNull(project, "surefire passes project.version");
    Result r = run("--version").assertOk();
    assertEquals("attestor " + project + " (canonical-v1, protocol version 1)\n", r.out(),
        r.describe());
  }

  @Test
  void cli_unknownSubcommand_exit2OneLine() {
    run("frobnicate").assertBadInput("frobnicate");
  }

  @Test
  void cli_noSubcommand_exit2OneLine() {
    run().assertBadInput("subcommand");
  }

  @Test
  void cli_unknownOption_exit2OneLine() {
    run("devices", "--bogus").assertBadInput("--bogus");
  }

  @Test
  void cli_missingRequiredOptions_exit2OneLineEach() {
    run("prove", "--backend", "cpu").assertBadInput("--challenge");
    run("open", "--state", dir.toString()).assertBadInput("--request");
  }

  @Test
  void prove_unknownBackend_exit2NamingBackend() {
    List<String> args = new ArrayList<>(List.of("prove", "--backend", "tpu", "--challenge",
        "e30=", "--state", dir.toString()));
    run(args.toArray(String[]::new)).assertBadInput("--backend");
  }
}
