package org.gpuattest.attestor.cli;

import static org.gpuattest.attestor.cli.AttestorCliHarness.challenge;
import static org.gpuattest.attestor.cli.AttestorCliHarness.runOn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.gpuattest.attestor.Backends;
import org.gpuattest.attestor.cli.AttestorCliHarness.Result;
import org.gpuattest.common.ExitCodes;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.message.Challenge;
import org.gpuattest.common.message.Commitment;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.message.KernelChoice;
import org.gpuattest.common.message.MessageCodec;
import org.gpuattest.common.message.OpeningRequest;
import org.gpuattest.common.message.Openings;
import org.gpuattest.common.message.Sample;
import org.gpuattest.common.schema.Schemas;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.util.Hex;
import org.gpuattest.kernels.cuda.CudaDriver;
import org.gpuattest.kernels.cuda.CudaFakes;
import org.gpuattest.kernels.cuda.EmulatedCudaDriver;
import org.gpuattest.kernels.cuda.EmulatedGpus;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.ProfileOverrides;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attestor's GPU commands on the CUDA backend. On emulated H100s, which run the shipped
 * PTX: prove commits canonical-v1's roots with the GPUs' identities and open recomputes on the
 * GPU with the committed UUID; bench reports its figures (from the emulated GPU's virtual
 * clock: that they exist, not what they are) for every kernel the GPU may run, the chosen one
 * first, and why cuBLAS is missing. Over the fake driver, where no result of the GPU's is the
 * point: devices lists the GPUs as a commitment reports them, open refuses a GPU no longer
 * present, bench refuses a bad size. (selftest on emulated GPUs: EmulatedGpuCliTest.)
 */
class CudaCliTest {
  private static final Backends.CudaOpener TWO_GPUS = w -> CudaFakes.backend(2, 1L << 30);

  @TempDir Path dir;

  @Test
  void devices_fakeGpus_listedWithUuidsAndJson() throws Exception {
    Result text = runOn(TWO_GPUS, "devices").assertOk();
    assertTrue(text.out().contains("Fake GPU 1"), text.describe());
    assertTrue(text.out().contains("GPU-11121314-1516-1718-191a-1b1c1d1e1f20"), text.describe());
    Result json = runOn(TWO_GPUS, "devices", "--json").assertOk();
    Map<?, ?> listing = Json.read("devices", json.out().getBytes(StandardCharsets.UTF_8),
        Map.class);
    List<?> gpus = (List<?>) listing.get("gpus");
    assertEquals(2, gpus.size(), json.describe());
    Map<?, ?> first = (Map<?, ?>) gpus.get(0);
    assertEquals(0, first.get("index"));
    assertEquals("9.0", first.get("computeCapability"));
    assertEquals(4, first.get("smCount"));
    assertEquals("CUDA 12.6", first.get("driverVersion"));
  }

  private static Commitment prove(Backends.CudaOpener on, Challenge c, Path state)
      throws Exception {
    Result r = runOn(on, "--backend", "cuda", "prove", "--challenge",
        MessageCodec.encode(c), "--state", state.toString()).assertOk();
    return MessageCodec.decode("commitment", r.out().strip(), Commitment.class).value();
  }

  @Test
  void proveThenOpen_twoEmulatedGpus_commitsAndOpensCanonicalRoots() throws Exception {
    EmulatedCudaDriver driver = EmulatedGpus.driver(2);
    Backends.CudaOpener twoGpus = EmulatedProverMain.opener(driver);
    Challenge c = challenge(64, 3, 2, 4);
    Path state = dir.resolve("state");
    Commitment commitment = prove(twoGpus, c, state);
    for (int g = 0; g < 2; g++) {
      DeviceReport d = commitment.devices().get(g);
      assertEquals(DeviceReport.CUDA, d.backend());
      assertEquals(EmulatedGpus.MODEL, d.name());
      assertTrue(d.uuid().startsWith("GPU-"), d.uuid());
      assertEquals(Hex.encode(Reference.deviceRoot(
          Reference.matrixRoots(c.philoxKey(), g, 64, 3))), d.root(), "R(" + g + ")");
      assertEquals(4, d.smMonitor().blocksPerSm().length);
      // n = 64: no multiple of the wide tile; the signed report names the kernel and why
      assertEquals(new KernelChoice("matmul_dmma", "matmul_dmma: n = 64 is not a multiple of"
          + " matmul_dmma_wide's tile (128)"), d.kernel());
    }
    String request = MessageCodec.encode(new OpeningRequest(1, commitment.challengeDigest(),
        commitment.commitmentDigest(), List.of(new Sample(1, 2, 63), new Sample(0, 0, 1))));
    Result o = runOn(twoGpus, "open", "--request", request, "--state", state.toString())
        .assertOk();
    Openings openings = MessageCodec.decode("openings", o.out().strip(), Openings.class).value();
    assertEquals(Hex.encode(Reference.matrixRoots(c.philoxKey(), 1, 64, 3)[2]),
        openings.openings().get(0).matrixRoot());
    assertEquals(Hex.encode(Reference.matrixRoots(c.philoxKey(), 0, 64, 3)[0]),
        openings.openings().get(1).matrixRoot());
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, driver.live());
  }

  @Test
  void open_gpuNoLongerPresent_exit3NamingTheUuid() throws Exception {
    Challenge c = challenge(64, 2, 2, 4);
    Path state = dir.resolve("state");
    Commitment commitment = prove(TWO_GPUS, c, state);
    String request = MessageCodec.encode(new OpeningRequest(1, commitment.challengeDigest(),
        commitment.commitmentDigest(), List.of(new Sample(1, 0, 0))));
    Backends.CudaOpener oneGpu = w -> CudaFakes.backend(1, 1L << 30);
    runOn(oneGpu, "open", "--request", request, "--state", state.toString())
        .assertFailure(ExitCodes.RUNTIME, commitment.devices().get(1).uuid());
  }

  @Test
  void bench_emulatedGpu_reportsFiguresAndWhyCublasIsMissing() throws Exception {
    EmulatedCudaDriver driver = EmulatedGpus.driver(1);
    Backends.CudaOpener one = EmulatedProverMain.opener(driver);
    Result r = runOn(one, "bench", "--dim", "64", "--repetitions", "2", "--json").assertOk();
    Map<?, ?> report = Json.read("bench", r.out().getBytes(StandardCharsets.UTF_8), Map.class);
    List<?> results = (List<?>) report.get("results");
    // n = 64 is no multiple of 128: the 64 x 64 tensor-core kernel (chosen) and FFMA.
    assertEquals(2, results.size(), r.describe());
    Map<?, ?> row = (Map<?, ?>) results.get(0);
    assertEquals(64, row.get("n"));
    assertEquals("dmma", row.get("productKernel"), "a 9.0 GPU runs the tensor-core product");
    assertEquals(Boolean.TRUE, row.get("chosen"));
    assertTrue(((Number) row.get("productTflops")).doubleValue() > 0, r.describe());
    assertTrue(((Number) row.get("hashShare")).doubleValue() > 0, r.describe());
    assertTrue(((Number) row.get("loopTflops")).doubleValue() > 0, r.describe());
    for (String phase : List.of("fillMillis", "productMillis", "unmonitoredProductMillis",
        "rowHashMillis", "treeMillis", "loopMillis")) {
      assertTrue(((Number) row.get(phase)).doubleValue() > 0, phase + ": " + r.describe());
    }
    assertTrue(row.get("monitorOverhead") instanceof Number, r.describe());
    assertTrue(row.get("hashingAdds") instanceof Number, r.describe());
    assertFalse(row.containsKey("predictedLoopTflops"), "the model has no n = 64 (JSON omits"
        + " what is null): " + r.describe());
    assertTrue(String.valueOf(row.get("cublasUnavailable")).contains("cuBLAS"), r.describe());
    assertEquals("ffma", ((Map<?, ?>) results.get(1)).get("productKernel"));
    assertEquals(Boolean.FALSE, ((Map<?, ?>) results.get(1)).get("chosen"));
    // the memory pass: 64 products of n = 64, beside a device-to-device copy
    List<?> memory = (List<?>) report.get("memory");
    assertEquals(1, memory.size(), r.describe());
    Map<?, ?> m = (Map<?, ?>) memory.get(0);
    assertEquals(64, m.get("kept"));
    assertEquals(2, m.get("passes"));
    for (String rate : List.of("streamGigabytesPerSecond", "passGigabytesPerSecond",
        "copyGigabytesPerSecond")) {
      assertTrue(((Number) m.get(rate)).doubleValue() > 0, rate + ": " + r.describe());
    }
    Result text = runOn(one, "bench", "--dim", "64", "--repetitions", "1").assertOk();
    assertTrue(text.out().contains("cuBLAS unavailable"), text.describe());
    assertTrue(text.out().contains("dmma*"), "the chosen kernel marked: " + text.describe());
    assertTrue(text.out().contains("memory_pass = the kept bytes it reads"), text.describe());
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, driver.live());
  }

  /**
   * The profile entry bench makes of the emulated H100 (docs/operators.md, "GPU profiles"):
   * from the chosen kernel's loop rate and the whole memory pass, rounded down, with the
   * device's SMs and memory and the bundled table's FP64 peaks; in JSON and as the text's
   * override file, both of which the validator's --profiles reader accepts.
   */
  @Test
  void bench_emulatedGpu_profileEntryTheValidatorReads() throws Exception {
    EmulatedCudaDriver driver = EmulatedGpus.driver(1);
    Backends.CudaOpener one = EmulatedProverMain.opener(driver);
    Result r = runOn(one, "bench", "--dim", "64", "--repetitions", "1", "--json").assertOk();
    Map<?, ?> report = Json.read("bench", r.out().getBytes(StandardCharsets.UTF_8), Map.class);
    assertEquals(List.of(), report.get("profilesLeftOut"), r.describe());
    List<?> profiles = (List<?>) report.get("profiles");
    assertEquals(1, profiles.size(), r.describe());
    Map<?, ?> entry = (Map<?, ?>) profiles.get(0);
    Map<?, ?> chosen = (Map<?, ?>) ((List<?>) report.get("results")).get(0);
    assertEquals(Boolean.TRUE, chosen.get("chosen"));
    Map<?, ?> pass = (Map<?, ?>) ((List<?>) report.get("memory")).get(0);
    assertEquals(EmulatedGpus.MODEL, entry.get("model"));
    assertEquals(EmulatedGpus.SMS, entry.get("smCount"));
    assertEquals(2, entry.get("memoryGiB"));
    assertEquals(64, entry.get("canonicalDim"));
    assertEquals(Math.floor(((Number) chosen.get("loopTflops")).doubleValue() * 1000) / 1000,
        ((Number) entry.get("canonicalTflops")).doubleValue(), r.describe());
    assertEquals(Math.floor(((Number) pass.get("passGigabytesPerSecond")).doubleValue()
        / 1000 * 1000) / 1000, ((Number) entry.get("memoryTBps")).doubleValue(), r.describe());
    assertEquals(Boolean.TRUE, entry.get("memoryMeasured"));
    GpuProfiles.Profile fromJson = ProfileOverrides.apply(GpuProfiles.bundled(), "bench",
        Json.writeString(Map.of("version", 1, "profiles", profiles))
            .getBytes(StandardCharsets.UTF_8)).find(EmulatedGpus.MODEL).orElseThrow();
    assertEquals(new TreeSet<>(List.of(64)), fromJson.calibratedDims());
    Result text = runOn(one, "bench", "--dim", "64", "--repetitions", "1").assertOk();
    String out = text.out();
    int header = out.indexOf("GPU profiles measured");
    assertTrue(header >= 0, text.describe());
    String file = out.substring(out.indexOf('{', header), out.lastIndexOf('}') + 1);
    assertEquals(List.of(), Schemas.errors("gpu-profiles-override", file), file);
    assertEquals(fromJson, ProfileOverrides.apply(GpuProfiles.bundled(), "bench",
        file.getBytes(StandardCharsets.UTF_8)).find(EmulatedGpus.MODEL).orElseThrow());
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, driver.live());
  }

  @Test
  void bench_emulatedGpu_nMultipleOf128_measuresBothTensorCoreKernelsAndFfmaInOneRun()
      throws Exception {
    // An H100 of one SM: at n = 128 the wide kernel's one block fills it, so it is chosen (on
    // 4 SMs grid fill would pick matmul_dmma there, and n = 256 costs the emulator 4 x more)
    CudaDriver.DeviceProperties h = EmulatedGpus.h100(0);
    EmulatedCudaDriver driver = new EmulatedCudaDriver(EmulatedGpus.DRIVER, List.of(
        new CudaDriver.DeviceProperties(h.name(), h.uuid(), h.pciBusId(), 9, 0, 1,
            h.totalMemoryBytes())));
    Backends.CudaOpener one = EmulatedProverMain.opener(driver);
    Result r = runOn(one, "bench", "--dim", "128,64", "--repetitions", "1", "--json")
        .assertOk();
    Map<?, ?> report = Json.read("bench", r.out().getBytes(StandardCharsets.UTF_8), Map.class);
    List<String> rows = new java.util.ArrayList<>();
    for (Object o : (List<?>) report.get("results")) {
      Map<?, ?> row = (Map<?, ?>) o;
      rows.add(row.get("n") + ":" + row.get("productKernel") + (Boolean.TRUE.equals(
          row.get("chosen")) ? "*" : ""));
    }
    assertEquals(List.of("128:dmma_wide*", "128:dmma", "128:ffma", "64:dmma*", "64:ffma"),
        rows, r.describe());
    assertEquals(CudaFakes.Watched.NOTHING_LIVE, driver.live());
  }

  @Test
  void bench_badDim_exit2NamingDim() {
    runOn(TWO_GPUS, "bench", "--dim", "100").assertBadInput("--dim");
  }
}
