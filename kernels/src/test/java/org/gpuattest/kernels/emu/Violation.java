package org.gpuattest.kernels.emu;

/**
 * What the sanitizer found, thrown from deep in the interpreter and turned by the CTA into a
 * {@link KernelFault} naming the kernel, line, CTA and thread. No stack trace: it is an answer,
 * not a bug.
 */
final class Violation extends RuntimeException {
  final int code;
  final int lane;

  Violation(int code, int lane, String what) {
    super(what, null, false, false);
    this.code = code;
    this.lane = lane;
  }
}
