package org.gpuattest.attestor.e2e;

import static org.gpuattest.attestor.e2e.BothTools.validator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.gpuattest.attestor.cli.EmulatedProverMain;
import org.gpuattest.attestor.e2e.BothTools.Result;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.kernels.cuda.EmulatedGpus;
import org.gpuattest.validator.Session;
import org.gpuattest.validator.archive.ArchivedExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole CUDA exchange without a GPU: 'validator attest' runs the attestor in another JVM
 * ({@link EmulatedProverMain}) whose CUDA backend drives two emulated H100s (4 SMs each) that
 * execute the shipped PTX, through the conversation (prepare, ready, go, openings); the
 * commitment is a {@code cuda} one and verifies without --allow-cpu, the SM checks reading the
 * emulated monitor. One GPU listed twice (--devices 0,0) is rejected by devices.distinct.
 *
 * <p>The timing checks hold the claimed model to its profile, and the emulator runs about a
 * million times slower than an H100, slower than any rate a profile may state (0.001 TFLOP/s
 * at the least, docs/protocol.md §8.6). So the tests lay a profile over the bundled table
 * ({@code --profiles}, §8.6) for "NVIDIA H100 80GB HBM3" as emulated: 4 SMs, peaks scaled to
 * 4 of 132 SMs, the least rate, and a {@code commitSeconds} of 600 that lets the window hold
 * the emulated run. The allowance is then most of the window, so the challenge must be issued
 * with --weak-timing (docs/soundness.md §7): the timing checks run and pass, but prove
 * nothing about speed, which only a real GPU can.
 */
class EmulatedGpuEndToEndTest {
  @TempDir Path home;

  private Path profiles() throws Exception {
    Path p = home.resolve("emulated-profiles.json");
    Files.writeString(p, """
        {"version": 1, "about": "emulated H100s (kernels' EmulatedGpus): 4 SMs, 2 GiB",
         "profiles": [{"model": "%s", "smCount": %d, "memoryGiB": 2, "fp64Tflops": 1.015,
           "fp64TensorTflops": 2.03, "canonicalTflops": 0.001, "canonicalMeasured": false}],
         "defaults": {"commitSeconds": 600}}
        """.formatted(EmulatedGpus.MODEL, EmulatedGpus.SMS));
    return p;
  }

  private String prover(String... options) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return "GPU_ATTEST_HOME='" + home + "' '" + java + "' -cp '"
        + System.getProperty("java.class.path") + "' " + EmulatedProverMain.class.getName()
        + " --debug --state '" + home.resolve("prover-state") + "' " + String.join(" ", options);
  }

  private Result attest(int n, int iterations, Path session, String... proverOptions)
      throws Exception {
    List<String> args = new ArrayList<>(List.of("attest", "--prover", prover(proverOptions),
        "--json", "--weak-timing", "--gpus", "2", "--model", EmulatedGpus.MODEL,
        "--dim", Integer.toString(n), "--iterations", Integer.toString(iterations),
        "--samples", "8", "--prepare-timeout", "300", "--profiles", profiles().toString(),
        "--replay-dir", home.resolve("replay").toString(),
        "--archive", home.resolve("archive").toString()));
    if (session != null) {
      args.addAll(List.of("--session", session.toString()));
    }
    return validator(args.toArray(String[]::new));
  }

  private static Verdict verdict(Result r) throws Exception {
    return Json.read("verdict", r.out().getBytes(), Verdict.class);
  }

  private static void assertCudaPass(Verdict v, String what) {
    assertTrue(v.passed(), what);
    for (String name : List.of("devices.backend", "devices.model", "devices.sm-count",
        "sm.coverage", "sm.balance", "sm.busy", "timing.window", "timing.kernel",
        "timing.barriers", "openings.exact")) {
      assertEquals(Check.PASS, v.check(name).status(), name + ": " + what);
    }
  }

  private Path archivedOpenings(String challengeId) throws Exception {
    try (Stream<Path> all = Files.walk(home.resolve("archive"))) {
      return all.filter(p -> p.getFileName().toString().equals(challengeId)).findFirst()
          .orElseThrow().resolve(ArchivedExchange.OPENINGS);
    }
  }

  @Test
  void attest_twoEmulatedGpus_n128_cudaCommitmentPassesAndVerifiesWithoutAllowCpu()
      throws Exception {
    Path session = home.resolve("session.json");
    Result r = attest(128, 2, session);
    assertEquals(0, r.code(), r.err() + r.out());
    Verdict v = verdict(r);
    assertCudaPass(v, r.err() + r.out());
    assertTrue(r.err().contains("prover: attestor: cuda backend, 2 devices, n=128, T=2"),
        r.err());
    Session s = Json.read("session", Files.readAllBytes(session), Session.class);
    Commitment c = MessageCodec.decode("commitment", s.commitment(), Commitment.class).value();
    for (DeviceReport d : c.devices()) {
      assertEquals(DeviceReport.CUDA, d.backend());
      assertEquals(EmulatedGpus.MODEL, d.name());
      assertEquals("matmul_dmma", d.kernel().name(), "grid fill at n = 128 on 4 SMs");
      assertEquals(4, d.smMonitor().coveredSms(), "every SM ran a block");
    }

    // The same exchange through 'validator verify', as an operator re-checks one by hand.
    Result verify = validator("verify", "--session", session.toString(), "--openings",
        "@" + archivedOpenings(v.challengeId()), "--json", "--no-archive", "--profiles",
        profiles().toString(), "--replay-dir", home.resolve("replay-verify").toString());
    assertEquals(0, verify.code(), verify.err() + verify.out());
    assertCudaPass(verdict(verify), verify.out());
  }

  @Test
  void attest_twoEmulatedGpus_n256_wideKernelPasses() throws Exception {
    Path session = home.resolve("session.json");
    Result r = attest(256, 1, session);
    assertEquals(0, r.code(), r.err() + r.out());
    assertCudaPass(verdict(r), r.err() + r.out());
    Session s = Json.read("session", Files.readAllBytes(session), Session.class);
    Commitment c = MessageCodec.decode("commitment", s.commitment(), Commitment.class).value();
    for (DeviceReport d : c.devices()) {
      assertEquals("matmul_dmma_wide", d.kernel().name(), d.kernel().reason());
    }
  }

  @Test
  void attest_oneEmulatedGpuListedTwice_rejectedByDevicesDistinct() throws Exception {
    Result r = attest(64, 1, null, "--devices", "0,0");
    assertEquals(1, r.code(), r.err() + r.out());
    Verdict v = verdict(r);
    assertEquals(Check.FAIL, v.check("devices.distinct").status(), r.out());
    assertEquals(Check.PASS, v.check("openings.exact").status(), "the work itself was exact");
    assertTrue(r.err().contains("device 0 is listed twice"), r.err());
  }
}
