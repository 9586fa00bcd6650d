package org.gpuattest.kernels.cuda;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Which product kernel a GPU runs at size n (docs/benchmarks.md, "Product kernel versions"):
 * the first, in {@link GridFill#order} (fastest first, unless the grid leaves SMs empty), whose
 * tile divides n, which the GPU can run (FP64 tensor cores: compute capability 8.0 and up),
 * and whose probe at start-up gives the CPU's bits ({@link ProductProbe}); FFMA otherwise. So
 * matmul_dmma_wide where n is a multiple of 128, its grid fills the SMs and its probe agrees;
 * else matmul_dmma where its probe agrees; else matmul_ffma.
 * Each GPU's probe of each kernel runs once per backend, and a kernel refused on a GPU is
 * reported once, on stderr, naming the kernel, why, and what runs instead. A probe that
 * faults is such a refusal, with the fault's own error; the device resets the GPU's context
 * first ({@link #countReset}). With a kernel forced (attestor --product-kernel) only that one
 * is considered, and where it cannot run that is a {@link ForcedKernelException}, not a
 * fallback.
 */
final class ProductChoice {
  /** A probe of one tensor-core kernel on one GPU: empty when it agrees, else why not. */
  interface Probe {
    Optional<String> whyNot(ProductKernel kernel) throws CudaException;
  }

  /** Per GPU ordinal, each tensor-core kernel's verdict so far. */
  private final Map<Integer, Map<ProductKernel, Optional<String>>> verdicts =
      new ConcurrentHashMap<>();
  /** Per GPU ordinal, how often a probe's fault had its primary context reset. */
  private final Map<Integer, Integer> resets = new ConcurrentHashMap<>();
  /** The kernel every device must run, or null to choose. */
  private final ProductKernel forced;

  ProductChoice() {
    this(null);
  }

  /** @param forced the kernel every device must run, or null to choose (auto) */
  ProductChoice(ProductKernel forced) {
    this.forced = forced;
  }

  /**
   * Notes that GPU {@code ordinal}'s primary context was reset (a probe faulted): every device
   * holding handles in it from before must open it anew. Called under the GPU's probe lock.
   */
  void countReset(int ordinal) {
    resets.merge(ordinal, 1, Integer::sum);
  }

  /** How often GPU {@code ordinal}'s primary context was reset so far. */
  int resets(int ordinal) {
    return resets.getOrDefault(ordinal, 0);
  }

  /**
   * The product kernels GPU {@code ordinal} runs at n, fastest first and FFMA last: with
   * {@code all} false only the one to use (then FFMA), probing no further than needed; with
   * {@code all} true every one that fits and agrees (what 'attestor bench' measures).
   *
   * @param who the GPU as warnings name it, such as "cuda device 0 (NVIDIA H100)"
   * @param order the kernels in the order to try them ({@link GridFill#order}), FFMA last
   * @throws ForcedKernelException a kernel is forced, and cannot run on this GPU at n
   */
  List<ProductKernel> usable(int ordinal, String who, boolean tensorCores, int n, boolean all,
      List<ProductKernel> order, Probe probe, Consumer<String> warnings)
      throws CudaException, ForcedKernelException {
    Map<ProductKernel, Optional<String>> gpu =
        verdicts.computeIfAbsent(ordinal, o -> new EnumMap<>(ProductKernel.class));
    if (forced != null) {
      return List.of(forced(gpu, who, tensorCores, n, probe));
    }
    List<ProductKernel> out = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    synchronized (gpu) { // two devices on one GPU probe it once
      for (ProductKernel k : order) {
        if (!k.tensorCores()) {
          out.add(k);
          continue;
        }
        if (!tensorCores || !k.fits(n) || (!all && !out.isEmpty())) {
          continue;
        }
        Optional<String> verdict = gpu.get(k);
        if (verdict == null) {
          verdict = probe.whyNot(k);
          gpu.put(k, verdict);
          verdict.ifPresent(why -> refused.add(k.monitored.entry + " " + why));
        }
        if (verdict.isEmpty()) {
          out.add(k);
        }
      }
    }
    for (String r : refused) {
      warnings.accept(who + ": the tensor-core product " + r + "; using " + describe(out.get(0)));
    }
    return out;
  }

  /** The forced kernel where it runs: on this GPU, at n, and its probe agrees. */
  private ProductKernel forced(Map<ProductKernel, Optional<String>> gpu, String who,
      boolean tensorCores, int n, Probe probe) throws CudaException, ForcedKernelException {
    if (!forced.tensorCores()) {
      return forced; // FFMA runs on every GPU and n
    }
    Optional<String> why;
    if (!tensorCores) {
      why = Optional.of("needs FP64 tensor cores (compute capability 8.0 or more)");
    } else if (!forced.fits(n)) {
      why = Optional.of("takes only n that are multiples of " + forced.tile + " (its tile),"
          + " not n=" + n);
    } else {
      synchronized (gpu) {
        why = gpu.get(forced);
        if (why == null) {
          why = probe.whyNot(forced);
          gpu.put(forced, why);
        }
      }
    }
    if (why.isPresent()) {
      throw new ForcedKernelException(who + ": the forced product kernel "
          + forced.monitored.entry + " " + why.get());
    }
    return forced;
  }

  /** Whether a kernel is forced (attestor --product-kernel), not chosen. */
  boolean forcing() {
    return forced != null;
  }

  /** Why GPU {@code ordinal} refused tensor-core kernel {@code k}, if its probe did. */
  Optional<String> refusal(int ordinal, ProductKernel k) {
    Map<ProductKernel, Optional<String>> gpu = verdicts.get(ordinal);
    if (gpu == null) {
      return Optional.empty();
    }
    synchronized (gpu) {
      Optional<String> verdict = gpu.get(k);
      return verdict == null ? Optional.empty() : verdict;
    }
  }

  private static String describe(ProductKernel k) {
    return k == ProductKernel.FFMA ? "the FFMA kernel (" + k.monitored.entry + ")"
        : "the tensor-core kernel " + k.monitored.entry;
  }
}
