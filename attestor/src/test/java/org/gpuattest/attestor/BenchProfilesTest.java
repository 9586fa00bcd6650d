package org.gpuattest.attestor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.schema.Schemas;
import org.gpuattest.kernels.DeviceIdentity;
import org.gpuattest.validator.GpuProfiles;
import org.gpuattest.validator.ProfileOverrides;
import org.junit.jupiter.api.Test;

/**
 * The profile entries 'attestor bench' makes (docs/operators.md, "GPU profiles"), from rows
 * made by hand: per model, the lowest loop rate over its GPUs of the kernel each runs
 * (chosen), held at the n it was measured at (canonicalDim 2048 where benched, else the least
 * n; the others in canonicalTflopsByDim), the slowest whole memory pass, and entries that the
 * override schema and the validator's --profiles reader both accept.
 */
class BenchProfilesTest {
  private static final String H100 = "NVIDIA H100 80GB HBM3";
  private static final String H200 = "NVIDIA H200";
  /** What cuDeviceTotalMem reports on an H100 SXM (81559 MiB; nvidia-smi): 79.6 GiB. */
  private static final long H100_BYTES = 81_559L << 20;
  private static final long H200_BYTES = 143_771L << 20;

  private static DeviceIdentity gpu(String model, int sms, long bytes) {
    return new DeviceIdentity(model, "GPU-0", "0000:18:00.0", "9.0", sms, bytes, "CUDA 12.6");
  }

  /**
   * A row with only what the entries may read set apart: the product's rate is above every
   * loop rate, so an entry made from it shows.
   */
  private static GpuBench.Row row(int gpu, String kernel, boolean chosen, int n, double loop) {
    return new GpuBench.Row(gpu, "any", kernel, chosen, n, 10, 3, 0.1, 0.2, 0.2, 0.1, 0.1,
        0.3, 66.0, loop, 2000, 0.1, 0.03, 0.01, 0.0, null, null, null, "test", null, null,
        null, null, null, null, null);
  }

  /** A memory row whose memory_pass alone is faster than the whole pass, as on a GPU. */
  private static GpuBench.MemoryRow memory(int gpu, int n, double passGbps) {
    return new GpuBench.MemoryRow(gpu, "any", n, 64, 1.0, 10, passGbps * 1.2, passGbps, 0.17,
        3000, 1.3, 3.35);
  }

  /**
   * Two H100s at n = 4096 and 2048 (in that order), each with every kernel it may run: the
   * chosen one is not the slowest row, nor the fastest, at either n.
   */
  private static List<GpuBench.Row> twoH100Rows() {
    List<GpuBench.Row> rows = new ArrayList<>();
    double[][] chosen = {{61.5, 58.1}, {60.2, 57.3}};
    int[] dims = {4096, 2048};
    for (int g = 0; g < 2; g++) {
      for (int i = 0; i < 2; i++) {
        rows.add(row(g, "dmma_wide", true, dims[i], chosen[g][i]));
        rows.add(row(g, "dmma", false, dims[i], chosen[g][i] + 1.5 - 12 * g));
        rows.add(row(g, "ffma", false, dims[i], 19.0 + g));
      }
    }
    return rows;
  }

  private static List<GpuBench.MemoryRow> twoH100Memory() {
    return List.of(memory(0, 4096, 3050.2), memory(0, 2048, 3012.7), memory(1, 4096, 3001.9),
        memory(1, 2048, 2987.46));
  }

  @Test
  void of_twoGpusTwoDims_lowestChosenLoopRateAtEachDim() {
    BenchProfiles.Result r = BenchProfiles.of(List.of(gpu(H100, 132, H100_BYTES),
        gpu(H100, 132, H100_BYTES)), twoH100Rows(), twoH100Memory());
    assertEquals(List.of(), r.leftOut());
    assertEquals(1, r.profiles().size());
    BenchProfiles.Entry e = r.profiles().get(0);
    assertEquals(H100, e.model());
    assertEquals(132, e.smCount());
    assertEquals(80, e.memoryGiB(), "79.6 GiB to the nearest, as the bundled table has it");
    assertEquals(33.5, e.fp64Tflops());
    assertEquals(67.0, e.fp64TensorTflops());
    assertEquals(2048, e.canonicalDim(), "2048 where benched, though benched second");
    assertEquals(57.3, e.canonicalTflops(), "GPU 1's dmma_wide at 2048, the slower GPU");
    assertEquals(Map.of("4096", 60.2), e.canonicalTflopsByDim());
    assertTrue(e.canonicalMeasured());
    assertEquals(2.987, e.memoryTBps(), "GPU 1's whole pass at 2048, rounded down");
    assertEquals(Boolean.TRUE, e.memoryMeasured());
  }

  /** bench's default sizes: 2048 is the canonical n though 1024 is less. */
  @Test
  void of_defaultDims_canonicalDimIs2048AndTheOthersByDim() {
    List<GpuBench.Row> rows = List.of(row(0, "dmma", true, 1024, 40.25),
        row(0, "dmma_wide", true, 2048, 58.1), row(0, "dmma_wide", true, 4096, 61.5));
    BenchProfiles.Entry e = BenchProfiles.of(List.of(gpu(H100, 132, H100_BYTES)), rows,
        List.of()).profiles().get(0);
    assertEquals(2048, e.canonicalDim());
    assertEquals(58.1, e.canonicalTflops());
    assertEquals(List.of("1024", "4096"), new ArrayList<>(e.canonicalTflopsByDim().keySet()));
    assertEquals(40.25, e.canonicalTflopsByDim().get("1024"));
  }

  @Test
  void of_2048NotBenched_canonicalDimIsTheLeastN() {
    List<GpuBench.Row> rows = List.of(row(0, "dmma_wide", true, 4096, 61.5),
        row(0, "dmma_wide", true, 1024, 40.25), row(0, "dmma_wide", true, 3072, 55.0),
        row(0, "dmma", false, 1024, 30.0));
    BenchProfiles.Entry e = BenchProfiles.of(List.of(gpu(H100, 132, H100_BYTES)), rows,
        List.of()).profiles().get(0);
    assertEquals(1024, e.canonicalDim());
    assertEquals(40.25, e.canonicalTflops());
    assertEquals(List.of("3072", "4096"), new ArrayList<>(e.canonicalTflopsByDim().keySet()),
        "the other n, ascending");
    assertEquals(55.0, e.canonicalTflopsByDim().get("3072"));
  }

  @Test
  void of_oneDim_noCanonicalTflopsByDim() {
    BenchProfiles.Entry e = BenchProfiles.of(List.of(gpu(H100, 132, H100_BYTES)),
        List.of(row(0, "dmma_wide", true, 2048, 58.1)), List.of()).profiles().get(0);
    assertEquals(2048, e.canonicalDim());
    assertNull(e.canonicalTflopsByDim());
  }

  /** Each model from its own GPUs: the H200's slower rows do not lower the H100's entry. */
  @Test
  void of_twoModels_eachFromItsOwnGpus() {
    List<GpuBench.Row> rows = List.of(row(0, "dmma_wide", true, 2048, 58.1),
        row(1, "dmma_wide", true, 2048, 50.0), row(2, "dmma_wide", true, 2048, 57.9));
    BenchProfiles.Result r = BenchProfiles.of(List.of(gpu(H100, 132, H100_BYTES),
        gpu(H200, 132, H200_BYTES), gpu(H100, 132, H100_BYTES)), rows,
        List.of(memory(0, 2048, 3000), memory(1, 2048, 4500), memory(2, 2048, 2900)));
    assertEquals(List.of(H100, H200), r.profiles().stream().map(BenchProfiles.Entry::model)
        .toList());
    assertEquals(57.9, r.profiles().get(0).canonicalTflops());
    assertEquals(2.9, r.profiles().get(0).memoryTBps());
    assertEquals(50.0, r.profiles().get(1).canonicalTflops());
    assertEquals(4.5, r.profiles().get(1).memoryTBps());
    assertEquals(140, r.profiles().get(1).memoryGiB(), "140.4 GiB to the nearest");
  }

  @Test
  void of_noMemoryRows_vendorFigureNotMeasured() {
    BenchProfiles.Entry e = BenchProfiles.of(List.of(gpu(H100, 132, H100_BYTES)),
        List.of(row(0, "dmma_wide", true, 2048, 58.1)), List.of()).profiles().get(0);
    assertEquals(3.35, e.memoryTBps());
    assertEquals(Boolean.FALSE, e.memoryMeasured());
  }

  @Test
  void of_modelNotInTheTable_leftOutSayingWhy() {
    BenchProfiles.Result r = BenchProfiles.of(List.of(gpu("NVIDIA L40S", 142, 48L << 30),
        gpu(H100, 132, H100_BYTES)), List.of(row(0, "ffma", true, 2048, 0.9),
        row(1, "dmma_wide", true, 2048, 58.1)), List.of());
    assertEquals(List.of(H100), r.profiles().stream().map(BenchProfiles.Entry::model)
        .toList());
    assertEquals(1, r.leftOut().size());
    assertEquals("NVIDIA L40S", r.leftOut().get(0).model());
    assertTrue(r.leftOut().get(0).reason().startsWith("not in the bundled GPU profile table"),
        r.leftOut().get(0).reason());
  }

  @Test
  void of_figuresNoProfileMayState_leftOutSayingWhy() {
    List<DeviceIdentity> one = List.of(gpu(H100, 132, H100_BYTES));
    assertEquals(List.of("its loop rate at n = 2048, 68.0 TFLOP/s, is above the FP64 tensor"
        + " peak of the bundled table (67.0): the table or the measurement is wrong"),
        reasons(BenchProfiles.of(one, List.of(row(0, "dmma_wide", true, 2048, 68.0)),
            List.of())));
    assertTrue(reasons(BenchProfiles.of(one, List.of(row(0, "dmma_wide", true, 2048,
        0.0009)), List.of())).get(0).contains("below the least a profile may state"));
    assertTrue(reasons(BenchProfiles.of(List.of(gpu(H100, 132, H100_BYTES),
        gpu(H100, 114, H100_BYTES)), List.of(row(0, "dmma_wide", true, 2048, 58.1),
        row(1, "dmma_wide", true, 2048, 58.1)), List.of())).get(0)
        .contains("different SM counts [114, 132]"));
  }

  private static List<String> reasons(BenchProfiles.Result r) {
    assertEquals(List.of(), r.profiles());
    return r.leftOut().stream().map(BenchProfiles.LeftOut::reason).toList();
  }

  /** The file bench prints is one the schema and the validator's --profiles reader accept. */
  @Test
  void overrideFile_ofTheEntries_acceptedBySchemaAndValidator() throws Exception {
    BenchProfiles.Result r = BenchProfiles.of(List.of(gpu(H100, 132, H100_BYTES),
        gpu(H100, 132, H100_BYTES)), twoH100Rows(), twoH100Memory());
    String file = Json.writeString(new BenchProfiles.OverrideFile(1, "bench", r.profiles()));
    assertEquals(List.of(), Schemas.errors("gpu-profiles-override", file));
    GpuProfiles.Profile p = ProfileOverrides.apply(GpuProfiles.bundled(), "bench",
        file.getBytes(StandardCharsets.UTF_8)).find(H100).orElseThrow();
    assertEquals(new TreeSet<>(List.of(2048, 4096)), p.calibratedDims());
    assertEquals(57.3, p.rateAt(2048));
    assertEquals(60.2, p.rateAt(4096));
    assertTrue(p.canonicalMeasured());
    assertFalse(p.issuableAt(3072), "measured: issued only where measured");
    assertEquals(2.987, p.memoryTBps());
    assertEquals(Boolean.TRUE, p.memoryMeasured());
    assertEquals(80, p.memoryGiB());
  }

  @Test
  void down_roundsTowardsZeroAtAThousandth() {
    assertEquals(57.349, BenchProfiles.down(57.3499999));
    assertEquals(0.0, BenchProfiles.down(0.0009));
    assertEquals(2.0, BenchProfiles.down(2.0));
  }
}
