package org.gpuattest.attestor.cli;

import static org.gpuattest.attestor.cli.AttestorCliHarness.challenge;
import static org.gpuattest.attestor.cli.AttestorCliHarness.run;
import static org.gpuattest.attestor.cli.AttestorCliHarness.runOn;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.gpuattest.attestor.Backends;
import org.gpuattest.attestor.cli.AttestorCliHarness.Result;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Sample;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.util.Hex;
import org.gpuattest.kernels.cuda.CudaFakes;
import org.gpuattest.kernels.cuda.EmulatedCudaDriver;
import org.gpuattest.kernels.cuda.EmulatedGpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'attestor --product-kernel' and the config file's productKernel: a forced kernel that runs
 * gives canonical-v1's roots (on an emulated H100, which runs the shipped PTX); one that
 * cannot run here, or any kernel forced on the CPU backend, stops the attestor with exit 2
 * (bad usage, as --devices naming a device that is not there: auto would run) and, last on
 * stderr, one line naming the setting, the GPU, the kernel and why; nothing is committed
 * (over fake GPUs of compute capability 9.0: these refusals come before any launch).
 */
class ProductKernelCliTest {
  private static final Backends.CudaOpener ONE_GPU = w -> CudaFakes.backend(1, 1L << 30);

  @TempDir Path dir;

  private Result prove(Challenge c, String... before) {
    return prove(ONE_GPU, c, before);
  }

  private Result prove(Backends.CudaOpener on, Challenge c, String... before) {
    List<String> args = new java.util.ArrayList<>(List.of(before));
    args.addAll(List.of("prove", "--challenge", MessageCodec.encode(c), "--state",
        dir.resolve("state").toString()));
    return runOn(on, args.toArray(new String[0]));
  }

  /** Exit 2, nothing on stdout, no trace, and the last stderr line is the refusal. */
  private static void assertRefused(Result r, String line) {
    assertEquals(ExitCodes.BAD_INPUT, r.code(), r::describe);
    assertEquals("", r.out(), r::describe);
    List<String> lines = r.err().strip().lines().toList();
    assertEquals("attestor: " + line, lines.get(lines.size() - 1), r::describe);
    r.assertNoStackTrace();
  }

  private void assertNoStateKept() throws Exception {
    Path state = dir.resolve("state");
    if (Files.exists(state)) {
      try (var files = Files.list(state)) {
        assertEquals(List.of(), files.toList(), "no state is kept for a refused run");
      }
    }
  }

  @Test
  void prove_forcedKernelThatRuns_commitsCanonicalRoots() throws Exception {
    // n = 128 on 4 SMs: auto would run matmul_dmma (grid fill); forced, the wide kernel runs
    EmulatedCudaDriver driver = EmulatedGpus.driver(1);
    Challenge c = challenge(128, 2, 1, 4);
    Result r = prove(EmulatedProverMain.opener(driver), c, "--product-kernel", "dmma-wide",
        "--backend", "cuda").assertOk();
    Commitment commitment = MessageCodec.decode("commitment", r.out().strip(),
        Commitment.class).value();
    assertEquals("matmul_dmma_wide", commitment.devices().get(0).kernel().name());
    assertEquals(Hex.encode(Reference.deviceRoot(Reference.matrixRoots(c.philoxKey(), 0, 128,
        2))), commitment.devices().get(0).root());
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, driver.live());
  }

  @Test
  void prove_forcedKernelThatCannotRunAtN_exit2NamingOptionGpuAndWhy() throws Exception {
    assertRefused(prove(challenge(64, 2, 1, 4), "--product-kernel", "dmma-wide"),
        "--product-kernel dmma-wide: cuda device 0 (Fake GPU 0): the forced product kernel"
            + " matmul_dmma_wide takes only n that are multiples of 128 (its tile), not n=64;"
            + " set it to auto to let the attestor choose");
    assertNoStateKept();
  }

  @Test
  void prove_forcedInTheConfigFile_refusalNamesTheFile() throws Exception {
    Path config = Files.writeString(dir.resolve("config.json"),
        "{\"version\": 1, \"productKernel\": \"dmma-wide\"}");
    assertRefused(prove(challenge(192, 2, 1, 4), "--config", config.toString()),
        "productKernel 'dmma-wide' in " + config + ": cuda device 0 (Fake GPU 0): the forced"
            + " product kernel matmul_dmma_wide takes only n that are multiples of 128 (its"
            + " tile), not n=192; set it to auto to let the attestor choose");
    assertNoStateKept();
  }

  @Test
  void prove_optionOverridesTheConfigFile() throws Exception {
    Path config = Files.writeString(dir.resolve("config.json"),
        "{\"version\": 1, \"productKernel\": \"dmma-wide\"}");
    prove(challenge(64, 2, 1, 4), "--config", config.toString(), "--product-kernel", "auto")
        .assertOk();
  }

  @Test
  void prove_kernelForcedOnTheCpuBackend_exit2() throws Exception {
    assertRefused(prove(challenge(64, 2, 1, 4), "--product-kernel", "ffma", "--backend", "cpu"),
        "--product-kernel ffma: the cpu backend runs no GPU product kernel; a kernel can be"
            + " forced on the cuda backend only");
  }

  @Test
  void open_forcedKernelThatCannotRunAtN_exit2() throws Exception {
    Challenge c = challenge(64, 2, 1, 4);
    Commitment commitment = MessageCodec.decode("commitment",
        prove(c).assertOk().out().strip(), Commitment.class).value();
    String request = MessageCodec.encode(new OpeningRequest(1, commitment.challengeDigest(),
        commitment.commitmentDigest(), List.of(new Sample(0, 1, 3))));
    assertRefused(runOn(ONE_GPU, "--product-kernel", "dmma-wide", "open", "--request", request,
        "--state", dir.resolve("state").toString()),
        "--product-kernel dmma-wide: cuda device 0 (Fake GPU 0): the forced product kernel"
            + " matmul_dmma_wide takes only n that are multiples of 128 (its tile), not n=64;"
            + " set it to auto to let the attestor choose");
  }

  @Test
  void productKernel_unknownWord_exit2ListingTheChoices() {
    run("--product-kernel", "dmma_wide", "prove", "--challenge", "x")
        .assertBadInput("expected auto, ffma, dmma or dmma-wide, got 'dmma_wide'");
  }
}
