package org.gpuattest.attestor.cli;

import static org.gpuattest.attestor.cli.AttestorCliHarness.challenge;
import static org.gpuattest.attestor.cli.AttestorCliHarness.runOn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.gpuattest.attestor.cli.AttestorCliHarness.Result;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.kernels.cuda.CudaFakes;
import org.gpuattest.kernels.cuda.EmulatedCudaDriver;
import org.gpuattest.kernels.cuda.EmulatedGpus;
import org.gpuattest.validator.cli.ValidatorCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attestor's GPU commands in-process on emulated H100s (4 SMs), which run the shipped PTX:
 * selftest finds every root equal to the CPU backend's; a GPU that faults mid-run (an
 * injected illegal address) stops 'prove' with one line naming the GPU and the fault, keeps no
 * state and leaves nothing allocated on either GPU; and one GPU listed twice (--devices 0,0)
 * proves and opens, and 'validator verify' rejects it for the duplicate (devices.distinct).
 */
class EmulatedGpuCliTest {
  @TempDir Path dir;

  @Test
  void selftest_twoEmulatedGpus_everyRootEqualsTheCpuBackend() throws Exception {
    EmulatedCudaDriver driver = EmulatedGpus.driver(2);
    Result r = runOn(EmulatedProverMain.opener(driver), "selftest", "--dim", "64,128",
        "--iterations", "1", "--json").assertOk();
    Map<?, ?> report = Json.read("selftest", r.out().getBytes(StandardCharsets.UTF_8),
        Map.class);
    assertEquals(Boolean.TRUE, report.get("pass"), r.describe());
    List<?> cases = (List<?>) report.get("cases");
    assertEquals(4, cases.size(), "2 GPUs x 2 sizes: " + r.describe());
    for (Object o : cases) {
      Map<?, ?> c = (Map<?, ?>) o;
      assertEquals(Boolean.TRUE, c.get("pass"), r.describe());
      // matmul_dmma: one 64 x 64 block at n = 64, four at 128, each SM its own
      assertEquals((Integer) c.get("dim") == 64 ? 1 : 4, c.get("smsUsed"), c.toString());
    }
    assertTrue(r.out().contains(EmulatedGpus.MODEL), r.describe());
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, driver.live());
  }

  @Test
  void prove_gpuFaultsMidRun_exit3NamingItsFault_noStateNothingAllocated() throws Exception {
    EmulatedCudaDriver driver = EmulatedGpus.driver(2);
    // GPU 1 at n = 64: matmul_dmma's probe (3 launches), B(1)'s fill, two iterations of four
    // kernels, then the fill of the third faults.
    driver.injectIllegalAddress(1, 13);
    Path state = dir.resolve("state");
    Result r = runOn(EmulatedProverMain.opener(driver), "--backend", "cuda", "prove",
        "--challenge", MessageCodec.encode(challenge(64, 6, 2, 4)), "--state", state.toString());
    assertEquals(ExitCodes.RUNTIME, r.code(), r.describe());
    assertEquals("", r.out(), r.describe());
    r.assertNoStackTrace();
    List<String> lines = r.err().strip().lines().toList();
    String last = lines.get(lines.size() - 1); // after the progress lines
    assertTrue(last.startsWith("attestor: cuda device 1 (" + EmulatedGpus.MODEL + ", GPU-"),
        r.describe());
    assertTrue(last.endsWith("cuStreamSynchronize: CUDA_ERROR_ILLEGAL_ADDRESS (700):"
        + " philox_fill: injected fault: launch 13 on GPU 1 read an illegal address"),
        r.describe());
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, driver.live());
    assertEquals(0, driver.usedBytes(0) + driver.usedBytes(1), "both GPUs' memory is free");
    if (Files.exists(state)) {
      try (var files = Files.list(state)) {
        assertEquals(List.of(), files.toList(), "no state is kept for a failed run");
      }
    }
  }

  private static Result validator(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int code = ValidatorCli.run(args, new java.io.ByteArrayInputStream(new byte[0]),
        new java.io.PrintWriter(out), new java.io.PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  /** The step-by-step exchange (challenge, prove, sample, open, verify), all in this JVM. */
  @Test
  void devicesZeroZero_provesAndOpens_validatorVerifyRejectsTheDuplicate() throws Exception {
    EmulatedCudaDriver driver = EmulatedGpus.driver(1);
    Path profiles = EmulatedProfile.write(dir);
    Path session = dir.resolve("session.json");
    Path state = dir.resolve("state");
    Result challenge = validator("challenge", "--gpus", "2", "--model", EmulatedGpus.MODEL,
        "--dim", "64", "--iterations", "1", "--samples", "4", "--weak-timing", "--profiles",
        profiles.toString(), "--session", session.toString());
    assertEquals(0, challenge.code(), challenge.describe());
    Result commitment = runOn(EmulatedProverMain.opener(driver), "--devices", "0,0", "prove",
        "--backend", "cuda", "--challenge", challenge.out().strip(), "--state",
        state.toString()).assertOk();
    assertTrue(commitment.err().contains("device 0 is listed twice"), commitment.describe());
    Result request = validator("sample", "--session", session.toString(), "--commitment",
        commitment.out().strip());
    assertEquals(0, request.code(), request.describe());
    Result openings = runOn(EmulatedProverMain.opener(driver), "open", "--request",
        request.out().strip(), "--state", state.toString()).assertOk();
    Result verify = validator("verify", "--session", session.toString(), "--openings",
        openings.out().strip(), "--json", "--no-archive", "--profiles", profiles.toString(),
        "--replay-dir", dir.resolve("replay").toString());
    assertEquals(1, verify.code(), verify.describe());
    Verdict v = Json.read("verdict", verify.out().getBytes(StandardCharsets.UTF_8),
        Verdict.class);
    assertEquals(Check.FAIL, v.check("devices.distinct").status(), verify.out());
    assertEquals(Check.PASS, v.check("devices.backend").status(), "a cuda commitment");
    assertEquals(Check.PASS, v.check("openings.exact").status(), "the work itself was exact");
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, driver.live());
  }
}
