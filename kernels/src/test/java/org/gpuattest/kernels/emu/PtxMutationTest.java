package org.gpuattest.kernels.emu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.gpuattest.common.merkle.MerkleTree;
import org.gpuattest.common.spec.CanonicalProduct;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.kernels.cuda.KernelGeometry.Kernel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kernel checks can fail (issue 20, item 6): each one-line mutation of the shipped PTX,
 * applied to the text in memory (never to ptx/), is caught by the check named with it, as a
 * bit difference from the CPU or as a sanitizer fault. Each outcome is printed as a row of
 * the mutation table ("mutation | check | outcome"). A mutation names its line by number and
 * its text; when ptx/ is regenerated and the line moved, the test says so and the table must
 * be updated.
 */
class PtxMutationTest {
  private static final PhiloxKey KEY = PhiloxKey.fromSeed(new byte[32]);

  /** A check of one kernel against the CPU on the kernels given; throws when they differ. */
  interface Check {
    void run(ShippedKernels kernels) throws Exception;
  }

  /**
   * One line of {@code file} changed: line {@code line} (1-based), whose text (whitespace
   * runs as one space) must be {@code original}, becomes {@code replacement} (null: removed).
   */
  record Mutant(String name, String file, int line, String original, String replacement,
      String checkName, Check check) {
    String apply(String ptx) {
      String[] lines = ptx.split("\n", -1);
      String found = lines[line - 1].trim().replaceAll("\\s+", " ");
      assertEquals(original, found, "ptx/" + file + " line " + line
          + " changed: update the mutation (and the table in the note)");
      StringBuilder out = new StringBuilder(ptx.length() + 64);
      for (int i = 0; i < lines.length; i++) {
        String l = i == line - 1 ? replacement : lines[i];
        if (l != null) {
          out.append(l).append(i + 1 < lines.length ? "\n" : "");
        }
      }
      return out.toString();
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static List<Mutant> mutants() {
    return List.of(
        new Mutant("matmul_ffma: fma multiplicand and addend swapped", "matmul_ffma.ptx", 247,
            "fma.rn.f64 %fd91, %fd90, %fd89, %fd480;",
            "\tfma.rn.f64 \t%fd91, %fd90, %fd480, %fd89;",
            "MatmulPtxTest.check(matmul_ffma, n=64)", product(Kernel.MATMUL, 64)),
        new Mutant("matmul_ffma: bar.sync after the tile stores removed", "matmul_ffma.ptx",
            240, "bar.sync 0;", null, "MatmulPtxTest.check(matmul_ffma, n=64)",
            product(Kernel.MATMUL, 64)),
        new Mutant("matmul_ffma: bar.sync before the next tile's stores removed",
            "matmul_ffma.ptx", 629, "bar.sync 0;", null,
            "MatmulPtxTest.check(matmul_ffma, n=64)", product(Kernel.MATMUL, 64)),
        new Mutant("matmul_dmma: cp.async.wait_group 1 -> 2", "matmul_dmma.ptx", 230,
            "cp.async.wait_group 1;", "\tcp.async.wait_group 2;",
            "MatmulPtxTest.check(matmul_dmma, n=64)", product(Kernel.MATMUL_DMMA, 64)),
        new Mutant("matmul_dmma: cp.async.wait_group 1 removed", "matmul_dmma.ptx", 230,
            "cp.async.wait_group 1;", null, "MatmulPtxTest.check(matmul_dmma, n=64)",
            product(Kernel.MATMUL_DMMA, 64)),
        new Mutant("matmul_dmma: bar.sync after the wait removed", "matmul_dmma.ptx", 232,
            "bar.sync 0;", null, "MatmulPtxTest.check(matmul_dmma, n=64)",
            product(Kernel.MATMUL_DMMA, 64)),
        new Mutant("matmul_dmma: mma A and B fragments swapped", "matmul_dmma.ptx", 244,
            "mma.sync.aligned.m8n8k4.row.col.f64.f64.f64.f64 {%fd282, %fd281}, {%fd83},"
                + " {%fd84}, {%fd282, %fd281};",
            "\tmma.sync.aligned.m8n8k4.row.col.f64.f64.f64.f64 {%fd282, %fd281}, {%fd84},"
                + " {%fd83}, {%fd282, %fd281};",
            "MatmulPtxTest.check(matmul_dmma, n=64)", product(Kernel.MATMUL_DMMA, 64)),
        new Mutant("matmul_dmma_wide: cp.async.wait_group 1 -> 2", "matmul_dmma_wide.ptx",
            555, "cp.async.wait_group 1;", "\tcp.async.wait_group 2;",
            "MatmulPtxTest.check(matmul_dmma_wide, n=128)",
            product(Kernel.MATMUL_DMMA_WIDE, 128)),
        new Mutant("matmul_dmma_wide: bar.sync after the wait removed", "matmul_dmma_wide.ptx",
            557, "bar.sync 0;", null, "MatmulPtxTest.check(matmul_dmma_wide, n=128)",
            product(Kernel.MATMUL_DMMA_WIDE, 128)),
        new Mutant("philox_fill: M0 of round 2 changed (0xD2511F53 -> 0xD2511F55)",
            "philox_fill.ptx", 58, "mul.wide.u32 %rd12, %r11, -766435501;",
            "\tmul.wide.u32 \t%rd12, %r11, -766435499;",
            "PhiloxFillPtxTest.reference(n=64)", PtxMutationTest::fill),
        new Mutant("sha256_rows: round constant K[0] of the block loop changed"
            + " (0x428a2f98 -> 0x428a2f99)", "sha256_merkle.ptx", 94,
            "add.s32 %r62, %r1067, 1116352408;", "\tadd.s32 \t%r62, %r1067, 1116352409;",
            "Sha256MerklePtxTest leaf hashes (n=64)", PtxMutationTest::rows),
        new Mutant("merkle_root: round 0's H7 + K[0], folded by nvcc, changed (0x9e6afcb1 ->"
            + " 0x9e6afcb2)", "sha256_merkle.ptx", 5881, "add.s32 %r33, %r1952, -1637155663;",
            "\tadd.s32 \t%r33, %r1952, -1637155662;", "MerkleTree.root (count=64)", root(64)),
        new Mutant("merkle_root: bar.sync between levels removed", "sha256_merkle.ptx", 11493,
            "bar.sync 0;", null, "MerkleTree.root (count=64)", root(64)));
  }

  static Stream<Mutant> all() {
    return mutants().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("all")
  void mutant_check_failsOnIt(Mutant m) throws Exception {
    String mutated = m.apply(ShippedKernels.text(m.file()));
    String outcome = null;
    try {
      m.check().run(ShippedKernels.withPtx(m.file(), mutated));
    } catch (AssertionError e) {
      outcome = "bits differ: " + e.getMessage();
    } catch (KernelFault e) {
      outcome = "fault " + e.code() + ": " + e.getMessage();
    }
    if (outcome == null) {
      fail(m.name() + ": survived " + m.checkName());
    }
    System.out.println("| " + m.name() + " | " + m.checkName() + " | " + outcome + " |");
  }

  /**
   * The controls, equivalent mutants that the same checks must pass, so that they catch changed
   * semantics, not changed text: an fma's two multiplicands swapped (IEEE 754's
   * fusedMultiplyAdd is commutative in them), and a cp.async.wait_group 1 made 0 (waiting for
   * every group, not all but the newest, is always allowed; it only costs overlap).
   */
  static List<Mutant> equivalents() {
    return List.of(
        new Mutant("matmul_ffma: fma multiplicands swapped", "matmul_ffma.ptx", 247,
            "fma.rn.f64 %fd91, %fd90, %fd89, %fd480;",
            "\tfma.rn.f64 \t%fd91, %fd89, %fd90, %fd480;",
            "MatmulPtxTest.check(matmul_ffma, n=64)", product(Kernel.MATMUL, 64)),
        new Mutant("matmul_dmma: cp.async.wait_group 1 -> 0", "matmul_dmma.ptx", 230,
            "cp.async.wait_group 1;", "\tcp.async.wait_group 0;",
            "MatmulPtxTest.check(matmul_dmma, n=64)", product(Kernel.MATMUL_DMMA, 64)),
        new Mutant("matmul_dmma_wide: cp.async.wait_group 1 -> 0", "matmul_dmma_wide.ptx", 555,
            "cp.async.wait_group 1;", "\tcp.async.wait_group 0;",
            "MatmulPtxTest.check(matmul_dmma_wide, n=128)",
            product(Kernel.MATMUL_DMMA_WIDE, 128)));
  }

  static Stream<Mutant> allEquivalents() {
    return equivalents().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allEquivalents")
  void equivalentMutant_check_passes(Mutant m) throws Exception {
    m.check().run(ShippedKernels.withPtx(m.file(), m.apply(ShippedKernels.text(m.file()))));
  }

  // ---- the checks, as the kernel tests run them ----------------------------------------------

  static Check product(Kernel k, int n) {
    return kernels -> {
      double[] a = Operands.matrixA(KEY, 0, 1, n);
      double[] b = Operands.matrixB(KEY, 0, n);
      double[] want = new double[n * n];
      CanonicalProduct.multiply(a, n, b, n, want);
      ShippedKernels.Product p = kernels.product(k, a, b, n);
      SameBits.assertMatrix(k.entry + " n=" + n, want, p.c(), n);
    };
  }

  static void fill(ShippedKernels kernels) throws KernelFault {
    int n = 64;
    SameBits.assertMatrix("philox_fill n=64", PhiloxFillPtxTest.reference(n, 1, 2, 3, 4, 5),
        kernels.fill(n, 1, 2, 3, 4, 5), n);
  }

  static void rows(ShippedKernels kernels) throws KernelFault {
    int n = 64;
    byte[] c = Sha256MerklePtxTest.randomMatrix(n, 1);
    SameBits.assertHashes("sha256_rows n=64", Sha256MerklePtxTest.leafHashes(c, n, n),
        kernels.rowLeaves(c, n));
  }

  static Check root(int count) {
    return kernels -> {
      SplittableRandom r = new SplittableRandom(count);
      byte[][] leaves = new byte[count][32];
      for (byte[] leaf : leaves) {
        for (int b = 0; b < leaf.length; b++) {
          leaf[b] = (byte) r.nextInt(256);
        }
      }
      SameBits.assertHash("merkle_root count=" + count, MerkleTree.root(leaves),
          kernels.root(leaves, 0, 1));
    };
  }
}
