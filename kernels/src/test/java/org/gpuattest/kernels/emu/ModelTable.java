package org.gpuattest.kernels.emu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.gpuattest.common.gpu.ProductGeometry;
import org.gpuattest.kernels.cuda.ChosenProduct;
import org.gpuattest.kernels.cuda.CudaDriver.Dim3;
import org.gpuattest.kernels.cuda.KernelGeometry;
import org.gpuattest.kernels.cuda.KernelGeometry.Kernel;

/**
 * The shipped kernels' profiles at the bench's sizes, from the emulator (one CTA each, sanitizer
 * on), and the performance model's table of docs/benchmarks.md ("Performance model"): each
 * kernel's predicted time and share of an iteration, and the prove loop's iteration before and
 * after hashing was pipelined ({@link LoopModel}). Products and row hashing are run at two
 * small n and extrapolated (their CTA's work is affine in n: the k-loop, the n/8 + 1 blocks of
 * a row; {@code PerformanceModelTest} checks that at a third n); the tree runs at its n.
 */
final class ModelTable {
  static final int[] DIMS = {1024, 2048, 4096};
  /** Registers per thread on sm_90 of the kernels not in ProductGeometry (ptxas -v). */
  static final int FILL_REGISTERS = 16;
  static final int ROW_HASH_REGISTERS = 48;
  static final int TREE_REGISTERS = 47;
  static final List<Kernel> PRODUCTS = List.of(Kernel.MATMUL, Kernel.MATMUL_DMMA,
      Kernel.MATMUL_DMMA_WIDE);

  private ModelTable() {}

  private static KernelProfile run(Kernel k, long ctas, Dim3 block, int registers, int shared,
      double dram, long... args) throws KernelFault {
    return run(ShippedKernels.shipped(), k, Dim3.of(1), ctas, block, registers, shared, dram,
        args);
  }

  private static KernelProfile run(ShippedKernels s, Kernel k, Dim3 grid, long ctas, Dim3 block,
      int registers, int shared, double dram, long... args) throws KernelFault {
    DependencyChains d = new DependencyChains(PerformanceModel.latencies());
    LaunchResult r = Launch.run(s.entry(k), grid, block, k.dynamicSharedBytes, args, s.memory(),
        ShippedKernels.GPU, 0, 1, true, d);
    return KernelProfile.of(k.entry, ctas, (int) block.count(), registers, shared, r.counts(), d,
        dram);
  }

  /** philox_fill of A at n: one CTA of 256 threads (its work does not depend on n). */
  static KernelProfile fill(int n) throws KernelFault {
    KernelProfile one = once("fill", () -> fillCta(64));
    return one.withLaunch(KernelGeometry.fillGrid(n).count(), 8.0 * n * n);
  }

  private static KernelProfile fillCta(int n) throws KernelFault {
    ShippedKernels s = ShippedKernels.shipped();
    long out = s.allocate(16L * KernelGeometry.FILL_THREADS, (byte) 0);
    return run(s, Kernel.PHILOX_FILL, Dim3.of(1), KernelGeometry.fillGrid(n).count(),
        KernelGeometry.fillBlock(), FILL_REGISTERS, 0, 8.0 * n * n, out, (long) n * n / 2, 1, 2,
        3, 4, 5);
  }

  /** CTA (0, 0) of a monitored product kernel at n, run as it is launched. */
  static KernelProfile productAt(Kernel k, int n, int registers) throws KernelFault {
    ShippedKernels s = ShippedKernels.shipped();
    long a = s.allocate(8L * n * n, (byte) 0);
    long b = s.allocate(8L * n * n, (byte) 0);
    long c = s.allocate(8L * n * n, (byte) 0);
    long slots = 8L * KernelGeometry.MONITOR_SLOTS;
    long blocks = s.allocate(slots, (byte) 0);
    long busy = s.allocate(slots, (byte) 0);
    ProductGeometry g = geometry(k);
    return run(s, k, Dim3.of(1), g.blocks(n), ShippedKernels.productBlock(k), registers,
        g.staticSharedBytes + g.dynamicSharedBytes, 24.0 * n * n, a, b, c, n, blocks, busy);
  }

  static ProductGeometry geometry(Kernel k) {
    return switch (k) {
      case MATMUL -> ProductGeometry.MATMUL_FFMA;
      case MATMUL_DMMA -> ProductGeometry.MATMUL_DMMA;
      case MATMUL_DMMA_WIDE -> ProductGeometry.MATMUL_DMMA_WIDE;
      default -> throw new IllegalArgumentException(k + " is not a monitored product kernel");
    };
  }

  /** Emulated runs, each made once per JVM: the counts depend on neither GPU nor registers. */
  private static final Map<String, KernelProfile> RUNS = new HashMap<>();

  private interface Run {
    KernelProfile run() throws KernelFault;
  }

  private static KernelProfile once(String key, Run run) throws KernelFault {
    KernelProfile p = RUNS.get(key);
    if (p == null) {
      p = run.run();
      RUNS.put(key, p);
    }
    return p;
  }

  /** A product kernel at n, from its CTA at 1 and 2 tiles a side. */
  static KernelProfile product(Kernel k, int n, int registers) throws KernelFault {
    int t = ShippedKernels.tile(k);
    KernelProfile one = once(k + "@" + t, () -> productAt(k, t, 0)).withRegisters(registers);
    KernelProfile two = once(k + "@" + 2 * t, () -> productAt(k, 2 * t, 0))
        .withRegisters(registers);
    return KernelProfile.affine(one, t, two, 2 * t, n, geometry(k).blocks(n), 24.0 * n * n);
  }

  /** One CTA of sha256_rows (32 rows) at n. */
  static KernelProfile rowsAt(int n) throws KernelFault {
    ShippedKernels s = ShippedKernels.shipped();
    long c = s.allocate(8L * KernelGeometry.ROW_HASH_THREADS * n, (byte) 0);
    long leaves = s.allocate(32L * KernelGeometry.ROW_HASH_THREADS, (byte) 0);
    return run(s, Kernel.ROW_HASH, Dim3.of(1), KernelGeometry.rowHashGrid(n).count(),
        KernelGeometry.rowHashBlock(), ROW_HASH_REGISTERS, 0, 8.0 * n * n + 32.0 * n, c, n,
        leaves);
  }

  static KernelProfile rows(int n) throws KernelFault {
    return KernelProfile.affine(once("rows@64", () -> rowsAt(64)), 64,
        once("rows@128", () -> rowsAt(128)), 128, n, KernelGeometry.rowHashGrid(n).count(),
        8.0 * n * n + 32.0 * n);
  }

  /** merkle_root over n leaves as CudaDevice launches it: its one CTA, whole. */
  static KernelProfile tree(int n) throws KernelFault {
    return once("tree@" + n, () -> tree(n, KernelGeometry.treeBlock()));
  }

  /** merkle_root over n leaves as the loop before issue 23 launched it: 512 threads. */
  static KernelProfile treeBefore(int n) throws KernelFault {
    return once("tree512@" + n, () -> tree(n, Dim3.of(512)));
  }

  /**
   * merkle_root over n leaves in one CTA of {@code block} threads (the loop before issue 23
   * launched 512).
   */
  static KernelProfile tree(int n, Dim3 block) throws KernelFault {
    ShippedKernels s = ShippedKernels.shipped();
    long leaves = s.allocate(32L * n, (byte) 0);
    long scratch = s.allocate(2L * ((n + 1) / 2) * 32, (byte) 0);
    long root = s.allocate(32, (byte) 0);
    return run(s, Kernel.TREE, Dim3.of(1), 1, block, TREE_REGISTERS, 0, 96.0 * n, leaves,
        scratch, n, root);
  }

  /** Every kernel of an iteration at n, products with their registers on {@code g}. */
  record Kernels(int n, KernelProfile fill, List<KernelProfile> products, KernelProfile rows,
      KernelProfile tree) {}

  static Kernels kernels(int n, GpuSpec g) throws KernelFault {
    List<KernelProfile> products = new ArrayList<>();
    for (Kernel k : PRODUCTS) {
      var regs = geometry(k).registers(g.arch());
      if (geometry(k).minCapability <= g.arch().code() && regs.isPresent()) {
        products.add(product(k, n, regs.getAsInt()));
      }
    }
    return new Kernels(n, fill(n), products, rows(n), tree(n));
  }

  /** The product the attestor runs at n on g where every probe agrees (ChosenProduct). */
  static KernelProfile chosen(Kernels k, GpuSpec g) {
    String entry = ChosenProduct.entry(k.n(), g.sms(), g.arch());
    return k.products().stream().filter(p -> p.kernel().equals(entry)).findFirst()
        .orElseThrow();
  }

  /** The table of docs/benchmarks.md for every GPU of {@link GpuSpec#ALL}. */
  static String markdown() throws KernelFault {
    StringBuilder b = new StringBuilder();
    for (GpuSpec g : GpuSpec.ALL) {
      List<Kernels> all = new ArrayList<>();
      for (int n : DIMS) {
        all.add(kernels(n, g));
      }
      b.append(String.format(Locale.ROOT, "**%s** (%d SMs at %.3f GHz; FP64 %.1f, FP64 tensor"
          + " %.1f TFLOP/s):%n%n", g.label(), g.sms(), g.clockGhz(), g.fp64Tflops(),
          g.fp64TensorTflops()));
      b.append("| kernel");
      for (int n : DIMS) {
        b.append(" | n = ").append(n).append(": predicted µs | share | measured");
      }
      b.append(" |\n|---").append("|---:|---:|---".repeat(DIMS.length)).append("|\n");
      for (String entry : List.of("philox_fill", "matmul_ffma", "matmul_dmma",
          "matmul_dmma_wide", "sha256_rows", "merkle_root")) {
        b.append("| `").append(entry).append('`');
        for (Kernels k : all) {
          b.append(cell(k, entry, g));
        }
        b.append(" |\n");
      }
      for (LoopModel.Shape shape : LoopModel.Shape.values()) {
        b.append("| iteration, ").append(shape.label);
        for (Kernels k : all) {
          LoopModel.Loop l = LoopModel.loop(k, chosen(k, g), g, shape);
          b.append(String.format(Locale.ROOT, " | %.0f | hashing adds %.0f%% |", l.micros(),
              100 * l.hashingAdds()));
        }
        b.append(" |\n");
      }
      b.append('\n');
    }
    return b.toString();
  }

  /** Challenge sizes the defaults table weighs: multiples of 256 from 2048 to 4096. */
  static final int[] CANDIDATE_DIMS = {2048, 2304, 2560, 2816, 3072, 3328, 3584, 3840, 4096};

  /**
   * The table of docs/benchmarks.md, "Defaults from the model": per candidate n and GPU, the
   * pipelined loop's predicted rate with the product the attestor runs there, as a share of
   * the FP64 tensor peak, its grid's last-wave fill and what hashing adds; and the worst share.
   */
  static String defaultsMarkdown() throws KernelFault {
    StringBuilder b = new StringBuilder("| n");
    for (GpuSpec g : GpuSpec.ALL) {
      b.append(" | ").append(g.label());
    }
    b.append(" | worst |\n|---:").append("|---".repeat(GpuSpec.ALL.size())).append("|---:|\n");
    for (int n : CANDIDATE_DIMS) {
      b.append("| ").append(n);
      double worst = 1;
      for (GpuSpec g : GpuSpec.ALL) {
        Kernels k = kernels(n, g);
        KernelProfile p = chosen(k, g);
        LoopModel.Loop l = LoopModel.loop(k, p, g, LoopModel.Shape.PIPELINED);
        double share = 2.0 * n * n * (double) n / (l.micros() * 1e-6) / 1e12
            / g.fp64TensorTflops();
        worst = Math.min(worst, share);
        long blocks = p.ctas();
        int slots = g.sms() * PerformanceModel.occupancy(g.arch(), p.threads(), p.registers(),
            p.sharedBytes());
        double fill = (double) blocks / ((blocks + slots - 1) / slots * slots);
        b.append(String.format(Locale.ROOT, " | %.0f%% (%s, fill %.0f%%, hashing +%.0f%%)",
            100 * share, p.kernel().replace("matmul_", ""), 100 * fill, 100 * l.hashingAdds()));
      }
      b.append(String.format(Locale.ROOT, " | %.0f%% |%n", 100 * worst));
    }
    return b.toString();
  }

  /**
   * The predictions 'attestor bench' sets beside its measurements (kernels' main resource
   * model-predictions.tsv, read by ModelPredictions): per GPU model, product kernel that fits
   * n, and n, the product's microseconds and the pipelined loop's with it.
   */
  static String predictionsTsv() throws KernelFault {
    StringBuilder b = new StringBuilder("# Performance model predictions (docs/benchmarks.md,"
        + " \"Performance model\"): not measurements.\n# Generated by the kernels tests"
        + " (ModelTable.predictionsTsv; PerformanceModelTest fails when this file is stale).\n"
        + "# model\tkernel\tn\tproduct microseconds\tloop microseconds per iteration\n");
    for (GpuSpec g : GpuSpec.ALL) {
      for (int n : DIMS) {
        Kernels k = kernels(n, g);
        for (KernelProfile p : k.products()) {
          if (ProductGeometry.byEntry(p.kernel()).orElseThrow().fits(n)) {
            b.append(String.format(Locale.ROOT, "%s\t%s\t%d\t%.1f\t%.1f%n", g.model(),
                p.kernel(), n, PerformanceModel.predict(p, g).micros(),
                LoopModel.loop(k, p, g, LoopModel.Shape.PIPELINED).micros()));
          }
        }
      }
    }
    return b.toString();
  }

  private static String cell(Kernels k, String entry, GpuSpec g) {
    KernelProfile chosen = chosen(k, g);
    KernelProfile p = switch (entry) {
      case "philox_fill" -> k.fill();
      case "sha256_rows" -> k.rows();
      case "merkle_root" -> k.tree();
      default -> k.products().stream().filter(x -> x.kernel().equals(entry)).findFirst()
          .filter(x -> ProductGeometry.byEntry(entry).orElseThrow().fits(k.n())).orElse(null);
    };
    if (p == null) {
      return " | — | — |";
    }
    PerformanceModel.Prediction pr = PerformanceModel.predict(p, g);
    KernelProfile product = entry.startsWith("matmul") ? p : chosen;
    double sum = PerformanceModel.predict(k.fill(), g).micros()
        + PerformanceModel.predict(product, g).micros()
        + PerformanceModel.predict(k.rows(), g).micros()
        + PerformanceModel.predict(k.tree(), g).micros();
    String time = String.format(Locale.ROOT, "%.0f (%s)", pr.micros(), pr.bound());
    if (entry.startsWith("matmul")) {
      time += String.format(Locale.ROOT, ", %.1f TF", 2.0 * k.n() * k.n() * (double) k.n()
          / (pr.micros() * 1e-6) / 1e12);
    }
    return String.format(Locale.ROOT, " | %s | %.0f%% |", time, 100 * pr.micros() / sum);
  }
}
