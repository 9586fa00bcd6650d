package org.gpuattest.attestor.e2e;

import static org.gpuattest.attestor.e2e.BothTools.validator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.gpuattest.attestor.cli.EmulatedProfile;
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
 * emulated monitor. The validator holds the model to {@link EmulatedProfile}'s profile, so
 * the challenges are --weak-timing: the timing checks run and pass, and prove nothing about
 * speed, which only a real GPU can.
 */
class EmulatedGpuEndToEndTest {
  @TempDir Path home;

  private Path profiles() throws Exception {
    return EmulatedProfile.write(home);
  }

  private String prover() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return "GPU_ATTEST_HOME='" + home + "' '" + java + "' -cp '"
        + System.getProperty("java.class.path") + "' " + EmulatedProverMain.class.getName()
        + " --debug --state '" + home.resolve("prover-state") + "'";
  }

  private Result attest(int n, int iterations, Path session) throws Exception {
    return validator("attest", "--prover", prover(),
        "--json", "--weak-timing", "--gpus", "2", "--model", EmulatedGpus.MODEL,
        "--dim", Integer.toString(n), "--iterations", Integer.toString(iterations),
        "--samples", "8", "--prepare-timeout", "300", "--profiles", profiles().toString(),
        "--replay-dir", home.resolve("replay").toString(),
        "--archive", home.resolve("archive").toString(), "--session", session.toString());
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
}
