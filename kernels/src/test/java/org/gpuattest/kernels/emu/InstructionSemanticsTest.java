package org.gpuattest.kernels.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The integer and conversion instructions with more to them than a Java operator, on values
 * worked out by hand from the PTX ISA's definitions (not from the interpreter's code): one
 * thread computes each into its own word of out.
 */
class InstructionSemanticsTest {
  /** Each line computes %rd9 from immediates; the harness stores it into out[i]. */
  private static final String[][] CASES = {
      // prmt: bytes of b:a, a's low byte is 0; a nibble with bit 3 set replicates a sign bit.
      {"prmt.b32 %r9, 0x03020100, 0x07060504, 0x3210;\n\tcvt.u64.u32 %rd9, %r9;", "0x03020100"},
      {"prmt.b32 %r9, 0x03020100, 0x07060504, 0x7654;\n\tcvt.u64.u32 %rd9, %r9;", "0x07060504"},
      {"prmt.b32 %r9, 0x03020100, 0x07060504, 0x0123;\n\tcvt.u64.u32 %rd9, %r9;", "0x00010203"},
      {"prmt.b32 %r9, 0x00000080, 0, 0x0808;\n\tcvt.u64.u32 %rd9, %r9;", "0x80ff80ff"},
      // bfi: insert 4 bits of 0xF at bit 4 of 0; a zero length leaves b.
      {"bfi.b32 %r9, 15, 0, 4, 4;\n\tcvt.u64.u32 %rd9, %r9;", "0xf0"},
      {"bfi.b32 %r9, 15, 0x1234, 4, 0;\n\tcvt.u64.u32 %rd9, %r9;", "0x1234"},
      {"bfi.b32 %r9, 0xff, 0, 28, 8;\n\tcvt.u64.u32 %rd9, %r9;", "0xf0000000"},
      // shf.l.wrap: upper word of (b:a) << (c mod 32).
      {"shf.l.wrap.b32 %r9, 0x80000000, 1, 1;\n\tcvt.u64.u32 %rd9, %r9;", "0x3"},
      {"shf.l.wrap.b32 %r9, 0x80000000, 1, 33;\n\tcvt.u64.u32 %rd9, %r9;", "0x3"},
      {"shf.l.wrap.b32 %r9, 0x80000000, 1, 0;\n\tcvt.u64.u32 %rd9, %r9;", "0x1"},
      // Shifts clamp at the width.
      {"shl.b32 %r9, 1, 32;\n\tcvt.u64.u32 %rd9, %r9;", "0x0"},
      {"shr.s32 %r9, -8, 40;\n\tcvt.u64.u32 %rd9, %r9;", "0xffffffff"},
      {"shr.u32 %r9, 0x80000000, 31;\n\tcvt.u64.u32 %rd9, %r9;", "0x1"},
      {"shr.u64 %rd9, 0x8000000000000000, 64;", "0x0"},
      // Wide and low multiplies, mad wrapping at 32 bits.
      {"mul.wide.u32 %rd9, -1, -1;", "0xfffffffe00000001"},
      {"mul.wide.s32 %rd9, -1, -1;", "0x1"},
      {"mad.lo.s32 %r9, 0x10000, 0x10000, 5;\n\tcvt.u64.u32 %rd9, %r9;", "0x5"},
      {"mul.lo.s64 %rd9, 0x100000000, 0x100000000;", "0x0"},
      // Conversions.
      {"cvt.u64.u32 %rd9, -1;", "0xffffffff"},
      {"mov.u32 %r9, -2;\n\tcvt.s64.s32 %rd9, %r9;", "0xfffffffffffffffe"},
      {"cvt.u32.u64 %r9, 0x123456789;\n\tcvt.u64.u32 %rd9, %r9;", "0x23456789"},
      {"cvt.rn.f64.u64 %fd9, -1;\n\tmov.b64 %rd9, %fd9;", "0x43f0000000000000"},
      {"cvt.rn.f64.u64 %fd9, 0x20000000000001;\n\tmov.b64 %rd9, %fd9;", "0x4340000000000000"},
      // Unsigned and signed compares of the same bits; selp.
      {"setp.lt.u32 %p1, -1, 1;\n\tselp.b64 %rd9, 1, 2, %p1;", "0x2"},
      {"setp.lt.s32 %p1, -1, 1;\n\tselp.b64 %rd9, 1, 2, %p1;", "0x1"},
      {"setp.ge.u64 %p1, -1, 1;\n\tselp.b64 %rd9, 1, 2, %p1;", "0x1"},
      // FP64: fma rounds once, mul then add twice.
      // (1 + 2^-52)(1 - 2^-53) - 1 = 2^-53 - 2^-105 = 2^-54 (2 - 2^-51) exactly; the product
      // alone rounds to 1.
      {"fma.rn.f64 %fd9, 0d3FF0000000000001, 0d3FEFFFFFFFFFFFFF, 0dBFF0000000000000;\n"
          + "\tmov.b64 %rd9, %fd9;", "0x3c9ffffffffffffe"},
      {"mul.rn.f64 %fd8, 0d3FF0000000000001, 0d3FEFFFFFFFFFFFFF;\n"
          + "\tadd.rn.f64 %fd9, %fd8, 0dBFF0000000000000;\n\tmov.b64 %rd9, %fd9;", "0x0"},
  };

  @Test
  void everyCase_matchesItsHandWorkedValue() throws Exception {
    StringBuilder body = new StringBuilder(TinyPtx.OUT_BY_TID);
    for (int i = 0; i < CASES.length; i++) {
      body.append("\tsetp.ne.s32 %p2, %r1, ").append(i).append(";\n\t@%p2 bra $L_").append(i)
          .append(";\n\t").append(CASES[i][0]).append("\n\tst.global.u64 [%rd1], %rd9;\n$L_")
          .append(i).append(":\n");
    }
    body.append("\tret;");
    TinyPtx gpu = new TinyPtx();
    long out = gpu.buffer(8 * 32);
    gpu.run(TinyPtx.entry(".param .u64 out", body.toString()), 1, 32, out);
    long[] got = gpu.longs(out, CASES.length);
    for (int i = 0; i < CASES.length; i++) {
      assertEquals(Long.parseUnsignedLong(CASES[i][1].substring(2), 16), got[i],
          "case " + i + ": " + CASES[i][0] + " gave 0x" + Long.toHexString(got[i]));
    }
  }
}
