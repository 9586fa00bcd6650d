package org.gpuattest.kernels.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Loading PTX as a driver does: what is refused, with which code, naming which line. */
class PtxModuleTest {
  static String shipped(String file) throws Exception {
    return Files.readString(Path.of("..", "ptx", file));
  }

  @Test
  void load_everyShippedModule_decodesEveryEntry() throws Exception {
    assertEquals(List.of("philox_fill"), PtxModule.load(shipped("philox_fill.ptx"), 85, 90)
        .entryNames());
    assertEquals(List.of("matmul_ffma", "matmul_ffma_unmonitored"),
        PtxModule.load(shipped("matmul_ffma.ptx"), 85, 90).entryNames());
    assertEquals(List.of("matmul_dmma", "matmul_dmma_unmonitored"),
        PtxModule.load(shipped("matmul_dmma.ptx"), 85, 80).entryNames());
    PtxModule wide = PtxModule.load(shipped("matmul_dmma_wide.ptx"), 85, 90);
    assertTrue(wide.entry("matmul_dmma_wide").usesDynamicShared());
    assertEquals(0, wide.entry("matmul_dmma_wide").staticSharedBytes());
    PtxModule sha = PtxModule.load(shipped("sha256_merkle.ptx"), 85, 90);
    assertEquals(List.of("sha256_rows", "merkle_root"), sha.entryNames());
    KernelEntry dmma = PtxModule.load(shipped("matmul_dmma.ptx"), 85, 80).entry("matmul_dmma");
    assertEquals(20480 + 17408, dmma.staticSharedBytes());
    assertEquals(256, dmma.maxThreadsPerBlock());
    assertEquals(6, dmma.paramCount());
    assertEquals(4, dmma.paramSize(3));
    assertEquals(8, dmma.paramSize(4));
  }

  @Test
  void load_newerVersionThanTheDriver_isUnsupportedPtxVersion() throws Exception {
    PtxLoadException e = assertThrows(PtxLoadException.class,
        () -> PtxModule.load(shipped("matmul_dmma.ptx"), 65, 90));
    assertEquals(PtxLoadException.UNSUPPORTED_PTX_VERSION, e.code());
    assertTrue(e.log().contains("line 7") && e.log().contains("Unsupported .version 7.0"),
        e.log());
  }

  @Test
  void load_targetAboveTheGpu_isRefused() throws Exception {
    PtxLoadException e = assertThrows(PtxLoadException.class,
        () -> PtxModule.load(shipped("matmul_dmma.ptx"), 85, 75));
    assertEquals(PtxLoadException.INVALID_PTX, e.code());
    assertTrue(e.getMessage().contains("sm_80 on a GPU of compute capability 7.5"),
        e.getMessage());
  }

  @Test
  void load_unknownInstruction_namesItsLine() throws Exception {
    String ptx = TinyPtx.module(".param .u64 out", "\tmov.u32 %r1, 1;\n"
        + "\tpopc.b32 %r2, %r1;\n\tret;");
    PtxLoadException e = assertThrows(PtxLoadException.class, () -> PtxModule.load(ptx, 90,
        80));
    assertEquals(PtxLoadException.INVALID_PTX, e.code());
    assertTrue(e.getMessage().startsWith("line 12: unsupported instruction 'popc.b32'"),
        e.getMessage());
  }

  @Test
  void load_unknownDirectiveRegisterOrLabel_isRefusedNamingTheLine() throws Exception {
    String local = TinyPtx.module(".param .u64 out", "\t.local .align 8 .b8 x[8];\n\tret;");
    assertTrue(assertThrows(PtxLoadException.class, () -> PtxModule.load(local, 90, 80))
        .getMessage().startsWith("line 11: unsupported directive '.local"));
    String register = TinyPtx.module(".param .u64 out", "\tmov.u32 %q1, 1;\n\tret;");
    assertTrue(assertThrows(PtxLoadException.class, () -> PtxModule.load(register, 90, 80))
        .getMessage().contains("unknown register %q1"));
    String label = TinyPtx.module(".param .u64 out", "\tbra $L_nowhere;\n\tret;");
    assertTrue(assertThrows(PtxLoadException.class, () -> PtxModule.load(label, 90, 80))
        .getMessage().contains("unknown label $L_nowhere"));
    String global = ".version 7.0\n.target sm_80\n.address_size 64\n.global .u32 x;\n";
    String m = assertThrows(PtxLoadException.class, () -> PtxModule.load(global, 90, 80))
        .getMessage();
    assertTrue(m.startsWith("line 4: unsupported directive"), m);
  }

  @Test
  void load_wrongOperandCountOrNonRegisterDestination_isRefused() throws Exception {
    String ptx = TinyPtx.module(".param .u64 out", "\tadd.s32 %r1, %r2;\n\tret;");
    assertTrue(assertThrows(PtxLoadException.class, () -> PtxModule.load(ptx, 90, 80))
        .getMessage().contains("expected 3 operands, found 2"));
    String imm = TinyPtx.module(".param .u64 out", "\tadd.s32 5, %r2, %r3;\n\tret;");
    assertTrue(assertThrows(PtxLoadException.class, () -> PtxModule.load(imm, 90, 80))
        .getMessage().contains("destination 5 is not a register"));
  }

  @Test
  void load_missingVersionOrRunningOffTheEnd_isRefused() throws Exception {
    assertThrows(PtxLoadException.class, () -> PtxModule.load(".target sm_80\n", 90, 80));
    String noRet = TinyPtx.module(".param .u64 out", "\tmov.u32 %r1, 1;");
    assertTrue(assertThrows(PtxLoadException.class, () -> PtxModule.load(noRet, 90, 80))
        .getMessage().contains("can run off its end"));
  }
}
