package org.gpuattest.attestor.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.gpuattest.attestor.Backends;
import org.gpuattest.attestor.BenchProfiles;
import org.gpuattest.attestor.GpuBench;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.util.Printable;
import org.gpuattest.kernels.cuda.CudaBackend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "bench", description = {
    "Measure canonical-v1 on every GPU against cuBLAS DGEMM (needs a GPU).",
    "Per GPU, size and product kernel the GPU may run there (dmma_wide: tensor",
    "cores, 128 x 128 tiles, n a multiple of 128; dmma: tensor cores, 64 x 64",
    "tiles; ffma), the one the prover runs marked '*' (in JSON, chosen): each",
    "phase alone (Philox fill, product with and without its SM monitor, row",
    "hashing, tree) and the prove loop as a whole, as it runs with hashing beside",
    "the products. Reported: the product's and the loop's FP64 TFLOP/s (the",
    "loop's is what a profile's canonicalTflops must be), what hashing adds to",
    "fill and product, the monitor's cost, cuBLAS DGEMM on the same GPU in the",
    "same run as the yardstick (or, where libcublas.so.12 cannot load, the FP64",
    "peak), and the performance model's prediction for the loop where it has one.",
    "Then the memory pass (docs/protocol.md section 2.2) over about 1 GiB of",
    "products per GPU and size: its GB/s alone and as a whole pass (the hashing's",
    "share), against a device-to-device copy on the same GPU (read plus written)",
    "and the profile's memory bandwidth.",
    "Last, per GPU model, the profile entry for 'validator --profiles': the slowest",
    "GPU's loop rate of the kernel the prover runs at each size (canonicalTflops",
    "at 2048 or the least size benched, canonicalTflopsByDim at the others), its",
    "slowest whole memory pass (memoryTBps), SMs and memory from the devices, FP64",
    "peaks from the bundled table (in JSON, profiles and profilesLeftOut).",
    "Exit 3 without a GPU."},
    exitCodeList = {AttestorCli.EXIT_OK, AttestorCli.EXIT_BAD_INPUT, AttestorCli.EXIT_RUNTIME})
final class BenchCommand implements Callable<Integer> {
  static final List<Integer> DEFAULT_DIMS = List.of(1024, 2048, 4096);

  @Spec CommandSpec spec;
  @ParentCommand AttestorCli parent;

  @Option(names = "--dim", split = ",", paramLabel = "n",
      description = "Matrix sizes (multiples of 64, 64..16384; default 1024,2048,4096).")
  List<Integer> dims;

  @Option(names = "--repetitions", paramLabel = "R", defaultValue = "10",
      description = "Timed iterations per size after one warm-up (1..1000; default 10).")
  int repetitions;

  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    List<Integer> sizes = dims == null ? DEFAULT_DIMS : dims;
    for (int n : sizes) {
      if (n < 64 || n > 16384 || n % 64 != 0) {
        throw new BadMessageException("--dim: " + n + " is not a multiple of 64 in 64..16384");
      }
    }
    if (repetitions < 1 || repetitions > 1000) {
      throw new BadMessageException("--repetitions: " + repetitions + " is not in 1..1000");
    }
    PrintWriter err = spec.commandLine().getErr();
    CudaBackend cuda = (CudaBackend) Backends.select(Backends.Choice.CUDA, err, parent.cuda);
    for (int n : sizes) {
      cuda.checkFits(1, n);
    }
    List<GpuBench.Row> rows = GpuBench.run(cuda, sizes, repetitions, err);
    List<GpuBench.MemoryRow> memory = GpuBench.memory(cuda, sizes, repetitions, err);
    BenchProfiles.Result profiles = BenchProfiles.of(cuda.gpus(), rows, memory);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.writeString(new Report(rows, memory, profiles.profiles(),
          profiles.leftOut())));
      return 0;
    }
    out.printf("%-3s %-24s %-10s %6s %9s %9s %9s %7s %7s %9s  %s%n", "gpu", "name", "kernel",
        "n", "product", "loop", "fill", "hashing", "monitor", "model", "yardstick");
    for (GpuBench.Row r : rows) {
      out.printf("%-3d %-24s %-10s %6d %6.2f TF %6.2f TF %6.0f GB/s %+6.1f%% %+6.1f%% %9s  %s%n",
          r.gpu(), r.name(), r.productKernel() + (r.chosen() ? "*" : ""), r.n(),
          r.productTflops(), r.loopTflops(), r.fillGigabytesPerSecond(),
          100 * r.hashingAdds(), 100 * r.monitorOverhead(), model(r), yardstick(r));
    }
    out.println("TF = FP64 TFLOP/s (2 n^3 per product); * marks the kernel the prover runs on"
        + " that GPU at that n; product is the monitored kernel alone, loop the prove loop as"
        + " a whole (fill, product and hashing, several iterations in flight): its rate is"
        + " what canonicalTflops must be; hashing is what the loop takes beyond fill and"
        + " product alone; monitor is the SM monitor's cost, both products alone; model is"
        + " the performance model's predicted loop rate (a prediction, not a measurement).");
    out.println();
    out.printf("%-3s %-24s %6s %8s %12s %12s %7s %12s %8s  %s%n", "gpu", "name", "n", "kept",
        "memory_pass", "whole pass", "hashing", "copy", "pass/copy", "profile");
    for (GpuBench.MemoryRow m : memory) {
      out.printf("%-3d %-24s %6d %6.2f GiB %7.0f GB/s %7.0f GB/s %6.1f%% %7.0f GB/s %7.0f%%  %s%n",
          m.gpu(), m.name(), m.n(), m.keptGiB(), m.streamGigabytesPerSecond(),
          m.passGigabytesPerSecond(), 100 * m.hashShare(), m.copyGigabytesPerSecond(),
          100 * m.streamToCopy(), m.profileMemoryTBps() == null ? "no memoryTBps"
              : String.format("memoryTBps %.3f (vendor's until measured)",
                  m.profileMemoryTBps()));
    }
    out.println("memory_pass = the kept bytes it reads a pass over its time alone; whole pass"
        + " adds v_p, the element leaves and the trees (hashing is their share); copy ="
        + " cuMemcpyDtoD of half the kept bytes, read plus written; pass/copy = memory_pass"
        + " over copy (the goal: 85% or more).");
    out.println();
    printProfiles(out, profiles, sizes, cuda.gpus().get(0).driverVersion());
    return 0;
  }

  /**
   * The entries as an override file to give every validator command with --profiles
   * (docs/operators.md, "GPU profiles"), and the models left out with why.
   */
  private void printProfiles(PrintWriter out, BenchProfiles.Result profiles,
      List<Integer> sizes, String driver) {
    if (!profiles.profiles().isEmpty()) {
      out.println("GPU profiles measured (each model's slowest GPU; save as a file and give it"
          + " to every validator command with --profiles FILE; docs/operators.md, \"GPU"
          + " profiles\"):");
      out.println(Json.writeString(new BenchProfiles.OverrideFile(1, "attestor bench --dim "
          + sizes.stream().map(String::valueOf).collect(Collectors.joining(","))
          + " --repetitions " + repetitions + ", " + driver + ": the slowest GPU's loop rate"
          + " of the kernel the prover runs, per n, and its slowest whole memory pass",
          profiles.profiles())));
    }
    for (BenchProfiles.LeftOut l : profiles.leftOut()) {
      out.println("No GPU profile for " + Printable.escape(l.model()) + ": " + l.reason() + ".");
    }
  }

  static String model(GpuBench.Row r) {
    return r.predictedLoopTflops() == null ? "none"
        : String.format("%.2f TF", r.predictedLoopTflops());
  }

  /**
   * What --json prints: the rows, and one profile entry per model benched (profiles, as an
   * override file's; BenchProfiles), or why not (profilesLeftOut).
   */
  record Report(List<GpuBench.Row> results, List<GpuBench.MemoryRow> memory,
      List<BenchProfiles.Entry> profiles, List<BenchProfiles.LeftOut> profilesLeftOut) {}

  static String yardstick(GpuBench.Row r) {
    if (r.cublasTflops() != null) {
      return String.format("cuBLAS DGEMM %.2f TF: product at %.0f%%, loop at %.0f%% of it",
          r.cublasTflops(), 100 * r.productToCublas(), 100 * r.loopToCublas());
    }
    String why = "cuBLAS unavailable (" + r.cublasUnavailable() + ")";
    if (r.fp64PeakTflops() != null) {
      return why + String.format("; product at %.0f%%, loop at %.0f%% of the FP64 peak ",
          100 * r.productToFp64Peak(), 100 * r.loopToFp64Peak()) + r.fp64PeakTflops() + " TF";
    }
    return why + "; no FP64 peak known for this model";
  }
}
