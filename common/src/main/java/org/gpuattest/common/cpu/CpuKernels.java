package org.gpuattest.common.cpu;

import java.util.Locale;

/**
 * Chooses the CPU kernels once per JVM, the way Apache Lucene chooses its vectorization
 * provider: the Vector API forms where the incubator module {@code jdk.incubator.vector} is in
 * the boot layer (the launchers start java with {@code --add-modules jdk.incubator.vector}) and
 * the CPU has vectors of at least two doubles; the plain forms otherwise. Both give the same
 * bits, so the choice changes speed only. {@link #description()} is the one line the tools print
 * to say which runs and, for the plain one, why.
 *
 * <p>The system property {@value #PROPERTY} = {@code auto} (the default), {@code scalar} or
 * {@code vector} forces a choice, for benchmarks and tests; {@code vector} without the module
 * is refused rather than quietly run slowly.
 */
public final class CpuKernels {
  public static final String PROPERTY = "gpuattest.cpu.kernel";
  static final String MODULE = "jdk.incubator.vector";

  private static volatile CpuKernels chosen;

  private final CanonicalKernel product;
  private final OperandFill operands;
  private final String description;

  private CpuKernels(CanonicalKernel product, OperandFill operands, String description) {
    this.product = product;
    this.operands = operands;
    this.description = description;
  }

  /** The kernels this JVM uses, chosen on first use from {@value #PROPERTY}. */
  public static CpuKernels get() {
    CpuKernels k = chosen;
    if (k == null) {
      synchronized (CpuKernels.class) {
        k = chosen;
        if (k == null) {
          k = choose(System.getProperty(PROPERTY, "auto"), moduleEnabled());
          chosen = k;
        }
      }
    }
    return k;
  }

  /** The plain kernels, whatever this JVM has; the fallback every run can take. */
  public static CpuKernels scalar() {
    ScalarKernel product = new ScalarKernel();
    return new CpuKernels(product, new ScalarOperandFill(), "CPU kernel: " + product.name());
  }

  /**
   * The choice for a requested mode and whether the module is enabled.
   *
   * @throws IllegalStateException for an unknown mode, or {@code vector} without the module
   */
  static CpuKernels choose(String mode, boolean moduleEnabled) {
    String m = mode.trim().toLowerCase(Locale.ROOT);
    switch (m) {
      case "scalar":
        return withReason(scalar(), PROPERTY + "=scalar");
      case "vector":
        if (!moduleEnabled) {
          throw new IllegalStateException(PROPERTY + "=vector needs the Java Vector API: start"
              + " java with --add-modules " + MODULE);
        }
        return vector();
      case "auto":
        if (!moduleEnabled) {
          return withReason(scalar(), MODULE + " is not enabled; start java with --add-modules "
              + MODULE + " for the vector kernel");
        }
        CpuKernels v = vector();
        return v != null ? v : withReason(scalar(), "this CPU has no vectors of two doubles");
      default:
        throw new IllegalStateException(PROPERTY + " must be auto, scalar or vector, not '"
            + (m.length() > 20 ? m.substring(0, 20) + "..." : m) + "'");
    }
  }

  private static CpuKernels withReason(CpuKernels k, String reason) {
    return new CpuKernels(k.product, k.operands,
        "CPU kernel: " + k.product.name() + " (" + reason + ")");
  }

  /** The Vector API kernels, or null where vectors hold fewer than two doubles. */
  private static CpuKernels vector() {
    try {
      // Reflection keeps the incubator classes unloaded unless the module is there.
      Class<?> kernel = Class.forName(CpuKernels.class.getPackageName() + ".VectorKernel");
      int lanes = (int) kernel.getDeclaredMethod("lanes").invoke(null);
      if (lanes < 2) {
        return null;
      }
      var ctor = kernel.getDeclaredConstructor();
      CanonicalKernel product = (CanonicalKernel) ctor.newInstance();
      var fill = Class.forName(CpuKernels.class.getPackageName() + ".VectorOperandFill")
          .getDeclaredConstructor();
      OperandFill operands = (OperandFill) fill.newInstance();
      return new CpuKernels(product, operands, "CPU kernel: " + product.name()
          + " (Java Vector API, " + MODULE + ")");
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new IllegalStateException("the Vector API kernel failed to load: " + e, e);
    }
  }

  static boolean moduleEnabled() {
    return ModuleLayer.boot().findModule(MODULE).isPresent();
  }

  public CanonicalKernel product() {
    return product;
  }

  public OperandFill operands() {
    return operands;
  }

  /** One line: which kernel runs, and why the plain one where it is the plain one. */
  public String description() {
    return description;
  }
}
