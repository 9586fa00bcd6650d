package org.gpuattest.kernels.emu;

/**
 * One .entry of a loaded module: its signature and limits (what the driver checks a launch
 * against) and its decoded body (what the interpreter runs).
 */
public final class KernelEntry {
  private final String name;
  private final int[] paramSizes;
  private final int staticSharedBytes;
  private final boolean dynamicShared;
  private final int maxThreads;
  final Insn[] code;
  final int registerCount;
  /** Values of the constant slots, which follow the registers. */
  final long[] constants;

  KernelEntry(String name, int[] paramSizes, int staticSharedBytes, boolean dynamicShared,
      int maxThreads, Insn[] code, int registerCount, long[] constants) {
    this.name = name;
    this.paramSizes = paramSizes.clone();
    this.staticSharedBytes = staticSharedBytes;
    this.dynamicShared = dynamicShared;
    this.maxThreads = maxThreads;
    this.code = code;
    this.registerCount = registerCount;
    this.constants = constants;
  }

  public String name() {
    return name;
  }

  /** Number of .param declarations. */
  public int paramCount() {
    return paramSizes.length;
  }

  /** Size in bytes of parameter {@code i} (4 or 8). */
  public int paramSize(int i) {
    return paramSizes[i];
  }

  /** Bytes of static .shared memory the body declares (dynamic shared memory starts after). */
  public int staticSharedBytes() {
    return staticSharedBytes;
  }

  /** Whether the body uses dynamic shared memory (an .extern .shared array). */
  public boolean usesDynamicShared() {
    return dynamicShared;
  }

  /** Threads a block may have: the product of .maxntid (or .reqntid), else 1024. */
  public int maxThreadsPerBlock() {
    return maxThreads;
  }

  /** Decoded instructions. */
  public int instructionCount() {
    return code.length;
  }

  int slots() {
    return registerCount + constants.length;
  }
}
