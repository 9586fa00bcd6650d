package org.gpuattest.kernels.cuda;

/**
 * Hand-written PTX for the emulated driver's tests, in the instructions the shipped kernels
 * use (PTX ISA 7.0, sm_80), so nothing here needs more of the interpreter than they do.
 */
final class TinyPtx {
  private TinyPtx() {}

  /**
   * store_at(u32 *out, u32 skip), 1 to 64 threads: thread i writes i to out[i + skip], so a
   * skip of 1 makes the last thread write one int past an allocation of the block's size.
   */
  static final String STORE_AT = header("7.0", "sm_80") + """
      .visible .entry store_at(
      	.param .u64 store_at_param_0,
      	.param .u32 store_at_param_1
      )
      .maxntid 64, 1, 1
      {
      	.reg .b32 	%r<4>;
      	.reg .b64 	%rd<5>;

      	ld.param.u64 	%rd1, [store_at_param_0];
      	ld.param.u32 	%r1, [store_at_param_1];
      	cvta.to.global.u64 	%rd2, %rd1;
      	mov.u32 	%r2, %tid.x;
      	add.s32 	%r3, %r2, %r1;
      	mul.wide.u32 	%rd3, %r3, 4;
      	add.s64 	%rd4, %rd2, %rd3;
      	st.global.u32 	[%rd4], %r2;
      	ret;
      }
      """;

  /** STORE_AT declaring another ISA version and target. */
  static String storeAt(String isa, String target) {
    return STORE_AT.replace(".version 7.0", ".version " + isa)
        .replace(".target sm_80", ".target " + target);
  }

  private static String header(String isa, String target) {
    return "//\n// tiny test kernel\n//\n\n.version " + isa + "\n.target " + target
        + "\n.address_size 64\n\n";
  }
}
