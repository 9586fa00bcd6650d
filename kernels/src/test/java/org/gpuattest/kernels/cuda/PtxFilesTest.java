package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.gpuattest.common.gpu.ProductGeometry;
import org.gpuattest.common.gpu.SmArchitecture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The checked-in ptx/*.ptx: each declares the PTX ISA and target the CUDA 12 (and older)
 * drivers load, holds the entries {@link KernelGeometry.Kernel} looks for, and, where ptxas is
 * installed, assembles for sm_80 and sm_90 with no error, no spill and no local memory.
 */
class PtxFilesTest {
  /** What scripts/build-ptx.sh declares (see ptx/README.md for why). */
  static final String PTX_ISA = "6.3";
  static final String TARGET = "sm_75";
  /**
   * What it declares for matmul_dmma.ptx and matmul_dmma_wide.ptx: mma m8n8k4 .f64 and
   * cp.async need sm_80, and 7.0 is the lowest ISA ptxas 13.0 accepts for that target and for
   * those instructions.
   */
  static final String DMMA_PTX_ISA = "7.0";
  static final String DMMA_TARGET = "sm_80";
  static final String DMMA_FILE = "matmul_dmma.ptx";
  static final String DMMA_WIDE_FILE = "matmul_dmma_wide.ptx";
  static final Set<String> SM80_FILES = Set.of(DMMA_FILE, DMMA_WIDE_FILE);
  /** The newest ISA a CUDA 12.0 driver loads; ours must not be newer. */
  static final double NEWEST_LOADABLE_ISA = 8.0;

  private static final Path PTX_DIR = CudaToolchain.projectRoot().resolve("ptx");
  private static final Pattern FIGURES = Pattern.compile(
      "(\\d+) bytes stack frame, (\\d+) bytes spill stores, (\\d+) bytes spill loads");

  static Set<String> ptxFiles() {
    return EnumSet.allOf(KernelGeometry.Kernel.class).stream().map(k -> k.ptxFile)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  static String read(String file) throws IOException {
    return Files.readString(PTX_DIR.resolve(file), StandardCharsets.UTF_8);
  }

  @Test
  void ptxFolder_holdsExactlyTheKernelsFiles() throws IOException {
    try (Stream<Path> files = Files.list(PTX_DIR)) {
      Set<String> present = files.map(p -> p.getFileName().toString())
          .filter(name -> name.endsWith(".ptx")).collect(Collectors.toCollection(TreeSet::new));
      assertEquals(ptxFiles(), present);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"philox_fill.ptx", "matmul_ffma.ptx", "sha256_merkle.ptx",
      "memory_pass.ptx", DMMA_FILE, DMMA_WIDE_FILE})
  void ptxFile_declaresLoadableIsaAndTarget_andHoldsItsEntries(String file) throws IOException {
    String ptx = read(file);
    String isa = SM80_FILES.contains(file) ? DMMA_PTX_ISA : PTX_ISA;
    String target = SM80_FILES.contains(file) ? DMMA_TARGET : TARGET;
    List<String> versions = ptx.lines().filter(l -> l.startsWith(".version")).toList();
    assertEquals(List.of(".version " + isa), versions, file);
    assertTrue(Double.parseDouble(isa) <= NEWEST_LOADABLE_ISA);
    assertEquals(List.of(".target " + target),
        ptx.lines().filter(l -> l.startsWith(".target")).toList(), file);
    for (KernelGeometry.Kernel kernel : KernelGeometry.Kernel.values()) {
      boolean declared = ptx.contains(".visible .entry " + kernel.entry + "(");
      assertEquals(kernel.ptxFile.equals(file), declared, kernel.entry + " in " + file);
    }
    assertFalse(ptx.contains("Build ID"), file + " keeps nvcc's build id");
    assertFalse(ptx.contains(".file"), file + " names a source file (debug info)");
    assertFalse(ptx.contains("/work/") || ptx.contains("/home/") || ptx.contains("/tmp/"),
        file + " holds a local path");
  }

  @Test
  void matmulPtx_everyProductIsAnFma_andNoSeparateMultiplyOrAdd() throws IOException {
    // canonical-v1 section 1.5: a separate multiply then add changes the bits. ptxas maps
    // fma.rn.f64 to DFMA and never splits it, so the PTX settles it for every GPU.
    String ptx = read("matmul_ffma.ptx");
    long fmas = ptx.lines().filter(l -> l.trim().startsWith("fma.rn.f64")).count();
    assertEquals(2 * 16 * 16, fmas,
        "16 k-steps x 16 accumulators per k-tile, in matmul_ffma and its unmonitored twin");
    assertFalse(Pattern.compile("\\b(mul|add|sub)(\\.r[nzmp])?\\.f64").matcher(ptx).find(),
        "matmul_ffma.ptx has a separate f64 multiply or add");
    assertFalse(ptx.contains(".f32"), "matmul_ffma.ptx computes in lower precision");
  }

  /**
   * docs/protocol.md §2.2: each element of y is one thread's chain of fma over j, 32 a staged
   * tile, and nothing else touches f64 values but loads and stores: no separate multiply or
   * add, no lower precision.
   */
  @Test
  void memoryPassPtx_everyStepIsAnFma_andNoSeparateMultiplyOrAdd() throws IOException {
    String ptx = read("memory_pass.ptx");
    long fmas = ptx.lines().filter(l -> l.trim().startsWith("fma.rn.f64")).count();
    assertEquals(32, fmas, "one fma per column of a staged 32-column tile");
    assertFalse(Pattern.compile("\\b(mul|add|sub)(\\.r[nzmp])?\\.f64").matcher(ptx).find(),
        "memory_pass.ptx has a separate f64 multiply or add");
    assertFalse(ptx.contains(".f32"), "memory_pass.ptx computes in lower precision");
  }

  @Test
  void dmmaPtx_eachEntryTakesEveryProductFromTheM8n8k4Mma_andNoSeparateF64Arithmetic()
      throws IOException {
    // docs/protocol.md 1.5: only mma.m8n8k4 .f64 is measured equal to the chain (on H100);
    // the larger f64 shapes (m16n8k*) are unproven, and a separate multiply, add or fma on
    // the accumulators would be another chain.
    String ptx = read(DMMA_FILE);
    for (String entry : new String[] {"matmul_dmma", "matmul_dmma_unmonitored"}) {
      String body = entryBody(ptx, entry);
      assertOnlyM8n8k4(entry, body, 4 * 2 * 4, "4 k-steps x 2 x 4 tiles of one warp");
      assertEquals(2 * 4, body.lines().filter(l -> l.trim().startsWith("cp.async.cg.shared"))
          .count(), entry + ": 2 A and 2 B 16-byte copies per thread, for k-tile 0 and in the"
          + " loop");
      assertTrue(body.contains("cp.async.wait_group 1;"), entry + " waits for its copies");
      assertEquals(entry.equals("matmul_dmma"), body.contains("%globaltimer"),
          entry + ": the SM monitor");
    }
  }

  @Test
  void dmmaWidePtx_eachEntryTakesEveryProductFromTheM8n8k4Mma_andStagesThreeKTiles()
      throws IOException {
    // As matmul_dmma.ptx (docs/protocol.md 1.5: only m8n8k4 .f64 is measured equal to the
    // chain), with the wide kernel's counts and its dynamic shared memory.
    String ptx = read(DMMA_WIDE_FILE);
    assertTrue(ptx.contains(".extern .shared .align 16 .b8 wide_shared[];"),
        "the stages live in dynamic shared memory (KernelGeometry.DMMA_WIDE_SHARED_BYTES)");
    for (String entry : new String[] {"matmul_dmma_wide", "matmul_dmma_wide_unmonitored"}) {
      String body = entryBody(ptx, entry);
      assertOnlyM8n8k4(entry, body, 4 * 8 * 4, "4 k-steps x 8 x 4 tiles of one warp");
      assertEquals(3 * 8, body.lines().filter(l -> l.trim().startsWith("cp.async.cg.shared"))
          .count(), entry + ": 4 A and 4 B 16-byte copies per thread, for k-tiles 0 and 1 and"
          + " in the loop");
      assertEquals(List.of("cp.async.wait_group 1;"), body.lines().map(String::trim)
          .filter(l -> l.startsWith("cp.async.wait_group")).toList(),
          entry + ": waits until only k-tile t + 1's copies may still be in flight");
      assertEquals(entry.equals("matmul_dmma_wide"), body.contains("%globaltimer"),
          entry + ": the SM monitor");
    }
  }

  /**
   * Every product of {@code entry} comes from mma.m8n8k4 .f64, {@code perKTile} of them per
   * k-tile of 16 (the one unrolled loop body), with no other mma shape, no separate f64
   * multiply, add or fma, and nothing in lower precision (docs/protocol.md 1.5).
   */
  private static void assertOnlyM8n8k4(String entry, String body, int perKTile, String why) {
    long mmas = body.lines().map(String::trim)
        .filter(l -> l.startsWith("mma.sync.aligned.m8n8k4.row.col.f64.f64.f64.f64")).count();
    assertEquals(perKTile, mmas, entry + ": per k-tile of 16, " + why);
    assertEquals(mmas, body.lines().map(String::trim)
        .filter(l -> l.startsWith("mma.") || l.startsWith("wmma.")).count(),
        entry + " holds another mma");
    assertFalse(Pattern.compile("\\b(mul|add|sub|fma|mad)(\\.r[nzmp])?\\.f64").matcher(body)
        .find(), entry + " has separate f64 arithmetic");
    assertFalse(body.contains(".f32") || body.contains(".f16") || body.contains(".tf32"),
        entry + " computes in lower precision");
  }

  /** The text of entry {@code entry}: from its .entry line to the next .entry or the end. */
  static String entryBody(String ptx, String entry) {
    String head = ".visible .entry " + entry + "(";
    int start = ptx.indexOf(head);
    assertTrue(start >= 0, entry + " not in the PTX");
    int next = ptx.indexOf(".entry ", start + head.length());
    return ptx.substring(start, next < 0 ? ptx.length() : next);
  }

  /**
   * Common's geometry table (ProductGeometry), which the validator derives the SM bounds from,
   * holds for each architecture the registers and shared memory ptxas gives each monitored
   * product entry: a kernel change that moves them must update the table.
   */
  @Test
  void ptxas_productKernelsRegistersAndSharedMemory_areTheGeometryTables(@TempDir Path tmp)
      throws Exception {
    Optional<Path> ptxas = CudaToolchain.find("ptxas");
    assumeTrue(ptxas.isPresent(), "ptxas is not installed: the geometry table not checked");
    Pattern used = Pattern.compile("Used (\\d+) registers[^\\n]*?(?:, (\\d+) bytes smem)?"
        + "(?:, \\d+ bytes cmem\\[0\\])?\\n");
    List<String> wrong = new java.util.ArrayList<>();
    for (ProductGeometry k : ProductGeometry.values()) {
      String file = KernelGeometry.Kernel.byEntry(k.entry).orElseThrow().ptxFile;
      for (SmArchitecture arch : SmArchitecture.KNOWN) {
        if (arch.code() < k.minCapability) {
          continue;
        }
        String gpu = "sm_" + arch.code();
        CudaToolchain.Result r = CudaToolchain.run(List.of(ptxas.get().toString(), "-v",
            "--gpu-name", gpu, "-o", tmp.resolve(file + "." + gpu).toString(),
            PTX_DIR.resolve(file).toString()), tmp, 300);
        assertEquals(0, r.exitCode(), r.output());
        String out = r.output();
        int at = out.indexOf("Compiling entry function '" + k.entry + "'");
        assertTrue(at >= 0, k.entry + " for " + gpu + ":\n" + out);
        Matcher m = used.matcher(out);
        assertTrue(m.find(at), k.entry + " for " + gpu + ":\n" + out);
        int registers = Integer.parseInt(m.group(1));
        int shared = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
        if (registers != k.registers(arch).orElse(-1) || shared != k.staticSharedBytes) {
          wrong.add(k.entry + " on " + gpu + ": ptxas " + registers + " registers, " + shared
              + " bytes; the table " + k.registers(arch) + ", " + k.staticSharedBytes);
        }
      }
    }
    assertEquals(List.of(), wrong);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sm_80", "sm_90"})
  void ptxas_everyFile_assemblesWithoutSpillsOrLocalMemory(String gpu, @TempDir Path tmp)
      throws Exception {
    Optional<Path> ptxas = CudaToolchain.find("ptxas");
    assumeTrue(ptxas.isPresent(),
        "ptxas is not installed (not on PATH, not in /usr/local/cuda/bin): PTX not assembled");
    for (String file : ptxFiles()) {
      CudaToolchain.Result r = CudaToolchain.run(List.of(ptxas.get().toString(), "-v",
          "--gpu-name", gpu, "-o", tmp.resolve(file + ".cubin").toString(),
          PTX_DIR.resolve(file).toString()), tmp, 300);
      String where = file + " for " + gpu + ":\n" + r.output();
      assertEquals(0, r.exitCode(), "ptxas failed on " + where);
      assertFalse(r.output().contains("error"), where);
      assertFalse(r.output().contains("lmem"), "local memory in " + where);
      for (KernelGeometry.Kernel kernel : KernelGeometry.Kernel.values()) {
        if (kernel.ptxFile.equals(file)) {
          assertTrue(r.output().contains("Compiling entry function '" + kernel.entry + "'"),
              kernel.entry + " not compiled: " + where);
        }
      }
      Matcher m = FIGURES.matcher(r.output());
      int entries = 0;
      while (m.find()) {
        entries++;
        assertEquals("0", m.group(1), "stack frame (local memory) in " + where);
        assertEquals("0", m.group(2), "spill stores in " + where);
        assertEquals("0", m.group(3), "spill loads in " + where);
      }
      long expected = EnumSet.allOf(KernelGeometry.Kernel.class).stream()
          .filter(k -> k.ptxFile.equals(file)).count();
      assertEquals(expected, entries, "ptxas -v figures per entry in " + where);
    }
  }
}
