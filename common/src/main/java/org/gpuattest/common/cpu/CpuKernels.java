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
 * <p>Which is faster depends on how much work the process does. Until C2 has compiled them,
 * Vector API operations run boxed, far slower than the plain code, and the compile takes a
 * good part of a second: a short command (a verification at n = 2048 with one device, a demo)
 * finishes sooner on the plain kernel, a long one or a warm JVM on the vector kernel. So a
 * command that knows its work ({@link CpuWork}) says so before its first product, with
 * {@link #forWork}, and the vector kernel is chosen only from {@link CpuWork#VECTOR_MIN}; a JVM
 * that never says (a library in a service, a benchmark) is taken to be long-running, and gets
 * the vector kernel.
 *
 * <p>The system property {@value #PROPERTY} = {@code auto} (the default), {@code scalar} or
 * {@code vector} forces a choice, for benchmarks and tests; {@code vector} without the module
 * is refused rather than quietly run slowly.
 */
public final class CpuKernels {
  public static final String PROPERTY = "gpuattest.cpu.kernel";
  static final String MODULE = "jdk.incubator.vector";

  /** The work {@link #get} assumes where none was declared: a long-running, warm JVM. */
  static final long UNDECLARED = -1;

  private static volatile CpuKernels chosen;

  private final CanonicalKernel product;
  private final OperandFill operands;
  private final String description;

  private CpuKernels(CanonicalKernel product, OperandFill operands, String description) {
    this.product = product;
    this.operands = operands;
    this.description = description;
  }

  /**
   * The kernels this JVM uses, chosen on first use from {@value #PROPERTY}: by the work
   * declared with {@link #forWork} if a command declared it first, else as for a long-running
   * JVM (the vector kernel, where it is there).
   */
  public static CpuKernels get() {
    return chosen(UNDECLARED);
  }

  /**
   * Declares the CPU work of this process ({@link CpuWork#of}) and returns the kernels it will
   * use: the plain kernel below {@link CpuWork#VECTOR_MIN}, unless
   * {@value #PROPERTY} says otherwise. A command calls it once it knows its work and before its
   * first product; where the kernels were chosen already (an earlier call, or {@link #get}),
   * that choice stands, as every product of a process must use one kernel's packed layout.
   *
   * @throws IllegalStateException as {@link #get} does, for a bad {@value #PROPERTY}
   */
  public static CpuKernels forWork(long work) {
    if (work < 0) {
      throw new IllegalArgumentException("work must be at least 0, got " + work);
    }
    return chosen(work);
  }

  private static CpuKernels chosen(long work) {
    CpuKernels k = chosen;
    if (k == null) {
      synchronized (CpuKernels.class) {
        k = chosen;
        if (k == null) {
          k = choose(System.getProperty(PROPERTY, "auto"), moduleEnabled(), work);
          chosen = k;
        }
      }
    }
    return k;
  }

  /**
   * The rule this JVM follows, for {@code attestor devices} and the CPU fallback, without
   * choosing: the kernel forced by {@value #PROPERTY} or the only one there is, or both
   * kernels with the work that decides between them.
   *
   * @throws IllegalStateException as {@link #get} does, for a bad {@value #PROPERTY}
   */
  public static String policy() {
    return policy(System.getProperty(PROPERTY, "auto"), moduleEnabled());
  }

  static String policy(String mode, boolean moduleEnabled) {
    String m = mode.trim().toLowerCase(Locale.ROOT);
    if (!m.equals("auto") || !moduleEnabled) {
      return choose(mode, moduleEnabled, UNDECLARED).description;
    }
    // Named, not loaded: loading the Vector API to print its width would cost the start-up
    // of every command that prints the rule ('attestor devices', the CPU fallback's line).
    return "CPU kernel: " + scalar().product.name() + " below "
        + CpuWork.format(CpuWork.VECTOR_MIN) + " of CPU work per command, the vector kernel"
        + " (Java Vector API, " + MODULE + ") from there and in a long-running JVM";
  }

  /** The plain kernels, whatever this JVM has; the fallback every run can take. */
  public static CpuKernels scalar() {
    ScalarKernel product = new ScalarKernel();
    return new CpuKernels(product, new ScalarOperandFill(), "CPU kernel: " + product.name());
  }

  /** The choice for a JVM that declared no work (long-running, warm): see the next. */
  static CpuKernels choose(String mode, boolean moduleEnabled) {
    return choose(mode, moduleEnabled, UNDECLARED);
  }

  /**
   * The choice for a requested mode, whether the module is enabled and the process's work
   * ({@link CpuWork}; {@link #UNDECLARED} for a long-running JVM).
   *
   * @throws IllegalStateException for an unknown mode, or {@code vector} without the module
   */
  static CpuKernels choose(String mode, boolean moduleEnabled, long work) {
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
        // Small work first: loading the Vector API (its classes, its species) is itself part
        // of the start-up cost the plain kernel is chosen to avoid.
        if (work != UNDECLARED && work < CpuWork.VECTOR_MIN) {
          return withReason(scalar(), CpuWork.format(work) + " of CPU work, below the "
              + CpuWork.format(CpuWork.VECTOR_MIN) + " from which the vector kernel's warm-up"
              + " pays; " + PROPERTY + "=vector forces it");
        }
        CpuKernels v = vector();
        if (v == null) {
          return withReason(scalar(), "this CPU has no vectors of two doubles");
        }
        if (work == UNDECLARED) {
          return v;
        }
        return new CpuKernels(v.product, v.operands, v.description.substring(0,
            v.description.length() - 1) + "; " + CpuWork.format(work) + " of CPU work)");
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
