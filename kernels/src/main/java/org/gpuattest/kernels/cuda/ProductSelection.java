package org.gpuattest.kernels.cuda;

import java.util.List;
import java.util.function.Consumer;
import org.gpuattest.common.gpu.SmArchitecture;
import org.gpuattest.common.message.KernelChoice;
import org.gpuattest.kernels.DeviceIdentity;

/**
 * Which product kernel one device runs, and with what occupancy: the first of {@link
 * ProductChoice}'s usable kernels at n, in the order grid fill gives ({@link GridFill}), the
 * reason the commitment carries for it (docs/protocol.md §4.2), and the blocks one SM holds at
 * once, which the SM monitor's busy fraction divides by. Where the driver's occupancy differs
 * from common's geometry table (what the validator's SM bounds assume, docs/soundness.md §6) the
 * operator is told. The kernels themselves are {@link DeviceKernels}'.
 */
final class ProductSelection {
  private final CudaDriver driver;
  private final int ordinal;
  private final DeviceIdentity identity;
  private final Consumer<String> warnings;
  private final ProductChoice choice;
  private final DeviceKernels kernels;
  private ProductKernel product = ProductKernel.FFMA;
  private int blocksPerSm;
  /** {@link #choose}'s choice as the commitment names it; null before. */
  private KernelChoice kernel;

  ProductSelection(CudaDriver driver, int ordinal, DeviceIdentity identity,
      Consumer<String> warnings, ProductChoice choice, DeviceKernels kernels) {
    this.driver = driver;
    this.ordinal = ordinal;
    this.identity = identity;
    this.warnings = warnings;
    this.choice = choice;
    this.kernels = kernels;
  }

  /** The kernel chosen (FFMA before any choice). */
  ProductKernel product() {
    return product;
  }

  /** Blocks of the chosen kernel one SM holds at once, as the driver says. */
  int blocksPerSm() {
    return blocksPerSm;
  }

  /** The choice and its reason, for the commitment; null before {@link #choose}. */
  KernelChoice kernel() {
    return kernel;
  }

  /**
   * The product kernels this device may run at n, fastest first, FFMA last ({@link
   * ProductChoice}): with {@code all} false the one to use, with true every one that fits n
   * and whose probe agreed; only the forced one where a kernel is forced.
   */
  List<ProductKernel> usable(int n, boolean all) throws CudaException, ForcedKernelException {
    List<ProductKernel> out = choice.usable(ordinal, who(), tensorCores(), n, all, order(n),
        kernels::probe, warnings);
    kernels.reopenIfResetElsewhere();
    return out;
  }

  /** Allocate's choice of product kernel at n, and the reason the commitment gives for it. */
  void choose(int n) throws CudaException, ForcedKernelException {
    ProductKernel k = usable(n, false).get(0);
    use(k);
    kernel = new KernelChoice(k.monitored.entry, choice.forcing()
        ? k.monitored.entry + ": forced (attestor --product-kernel)"
        : GridFill.reason(k, order(n), n, identity.smCount(), identity.computeCapability(),
            tensorCores(), this::tableBlocksPerSm, p -> choice.refusal(ordinal, p)));
    int table = tableBlocksPerSm(k);
    if (table > 0 && table != blocksPerSm) {
      // The driver compiled the PTX to other registers than ptxas 13.0 did: the validator's
      // busy bound assumes the table's occupancy (docs/soundness.md §6, SM checks' bounds).
      warnings.accept(who() + ": the driver holds " + blocksPerSm + " blocks of "
          + k.monitored.entry + " per SM, the geometry table " + table + " (compute capability "
          + identity.computeCapability() + "); the validator's SM bounds assume " + table);
    }
  }

  /** Runs {@code k} from now on (allocate's choice, or another for 'attestor bench'). */
  void use(ProductKernel k) throws CudaException {
    product = k;
    blocksPerSm = driver.maxActiveBlocksPerSm(kernels.function(k.monitored),
        (int) k.block().count(), k.dynamicSharedBytes());
  }

  private String who() {
    return "cuda device " + ordinal + " (" + identity.name() + ")";
  }

  private boolean tensorCores() {
    return ProductKernel.hasTensorCores(identity.computeCapability());
  }

  /** The kernels in the order this GPU tries them at n: fastest first, unless grid fill says. */
  private List<ProductKernel> order(int n) {
    return GridFill.order(n, identity.smCount(), this::tableBlocksPerSm);
  }

  /**
   * Blocks of {@code k} per SM as common's geometry table has them for this GPU's compute
   * capability (what the validator's SM bounds use), else as the driver says.
   */
  private int tableBlocksPerSm(ProductKernel k) {
    int table = SmArchitecture.find(identity.computeCapability())
        .map(k.geometry::blocksPerSm).orElse(0);
    if (table > 0 || kernels.function(k.monitored) == null) {
      return table;
    }
    try {
      return driver.maxActiveBlocksPerSm(kernels.function(k.monitored), (int) k.block().count(),
          k.dynamicSharedBytes());
    } catch (CudaException e) {
      return 0;
    }
  }
}
