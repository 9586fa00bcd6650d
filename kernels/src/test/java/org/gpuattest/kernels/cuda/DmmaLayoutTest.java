package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DmmaLayout} is dmma_layout.cuh one to one, and {@link DmmaWideLayout}
 * dmma_wide_layout.cuh: the headers' helpers are
 * {@code __host__ __device__}, so a host C++ compiler (c++ on PATH, with {@code __host__} and
 * {@code __device__} defined away) builds a program that prints every constant and every value
 * of every helper, and the Java mirror must print the same. Skipped where no c++ is installed.
 */
class DmmaLayoutTest {
  private static final String PROGRAM = """
      #include <cstdio>
      #include "dmma_layout.cuh"
      int main() {
        std::printf("%d %d %d %d %d %d %d %d %d %d\\n", DMMA_TILE, DMMA_THREADS, DMMA_KTILE,
                    DMMA_K, DMMA_WARPS_N, DMMA_M_TILES, DMMA_N_TILES, DMMA_A_STRIDE,
                    DMMA_B_STRIDE, DMMA_CHUNKS_PER_THREAD);
        for (int w = 0; w < DMMA_THREADS / 32; w++)
          for (int t = 0; t < 4; t++)
            std::printf("tile %d %d %d %d\\n", w, t, dmma_tile_row(w, t), dmma_tile_col(w, t));
        for (int l = 0; l < 32; l++)
          std::printf("lane %d %d %d %d %d %d %d %d\\n", l, dmma_a_row(l), dmma_a_k(l),
                      dmma_b_k(l), dmma_b_col(l), dmma_c_row(l), dmma_c_col(l, 0),
                      dmma_c_col(l, 1));
        for (int c = 0; c < DMMA_THREADS * DMMA_CHUNKS_PER_THREAD; c++)
          std::printf("chunk %d %d %d %d %d\\n", c, dmma_a_chunk_row(c), dmma_a_chunk_k(c),
                      dmma_b_chunk_k(c), dmma_b_chunk_col(c));
        return 0;
      }
      """;

  private static final String WIDE_PROGRAM = """
      #include <cstdio>
      #include "dmma_wide_layout.cuh"
      int main() {
        std::printf("%d %d %d %d %d %d %d %d %d %d %d %d %d\\n", DMMA_WIDE_TILE,
                    DMMA_WIDE_THREADS, DMMA_WIDE_KTILE, DMMA_WIDE_STAGES, DMMA_WIDE_WARPS_N,
                    DMMA_WIDE_M_TILES, DMMA_WIDE_N_TILES, DMMA_WIDE_A_STRIDE,
                    DMMA_WIDE_B_STRIDE, DMMA_WIDE_A_STAGE, DMMA_WIDE_B_STAGE,
                    DMMA_WIDE_SHARED_BYTES, DMMA_WIDE_CHUNKS_PER_THREAD);
        for (int w = 0; w < DMMA_WIDE_THREADS / 32; w++)
          for (int t = 0; t < 8; t++)
            std::printf("tile %d %d %d %d\\n", w, t, dmma_wide_tile_row(w, t),
                        dmma_wide_tile_col(w, t));
        for (int t = 0; t < 10; t++) std::printf("stage %d %d\\n", t, dmma_wide_stage(t));
        for (int c = 0; c < DMMA_WIDE_THREADS * DMMA_WIDE_CHUNKS_PER_THREAD; c++)
          std::printf("chunk %d %d %d %d %d\\n", c, dmma_wide_a_chunk_row(c),
                      dmma_wide_a_chunk_k(c), dmma_wide_b_chunk_k(c), dmma_wide_b_chunk_col(c));
        return 0;
      }
      """;

  static String wideJavaTable() {
    DmmaTiling t = DmmaWideLayout.TILING;
    StringBuilder s = new StringBuilder();
    s.append(String.format("%d %d %d %d %d %d %d %d %d %d %d %d %d%n", DmmaWideLayout.TILE,
        DmmaWideLayout.THREADS, DmmaWideLayout.KTILE, DmmaWideLayout.STAGES,
        DmmaWideLayout.WARPS_N, DmmaWideLayout.M_TILES, DmmaWideLayout.N_TILES,
        DmmaWideLayout.A_STRIDE, DmmaWideLayout.B_STRIDE, DmmaWideLayout.A_STAGE,
        DmmaWideLayout.B_STAGE, DmmaWideLayout.SHARED_BYTES, DmmaWideLayout.CHUNKS_PER_THREAD));
    appendTiles(s, t, 8);
    for (int k = 0; k < 10; k++) {
      s.append(String.format("stage %d %d%n", k, t.stage(k)));
    }
    appendChunks(s, t);
    return s.toString();
  }

  static String javaTable() {
    StringBuilder s = new StringBuilder();
    s.append(String.format("%d %d %d %d %d %d %d %d %d %d%n", DmmaLayout.TILE,
        DmmaLayout.THREADS, DmmaLayout.KTILE, DmmaLayout.K, DmmaLayout.WARPS_N,
        DmmaLayout.M_TILES, DmmaLayout.N_TILES, DmmaLayout.A_STRIDE, DmmaLayout.B_STRIDE,
        DmmaLayout.CHUNKS_PER_THREAD));
    appendTiles(s, DmmaLayout.TILING, 4);
    for (int l = 0; l < 32; l++) {
      s.append(String.format("lane %d %d %d %d %d %d %d %d%n", l, DmmaLayout.aRow(l),
          DmmaLayout.aK(l), DmmaLayout.bK(l), DmmaLayout.bCol(l), DmmaLayout.cRow(l),
          DmmaLayout.cCol(l, 0), DmmaLayout.cCol(l, 1)));
    }
    appendChunks(s, DmmaLayout.TILING);
    return s.toString();
  }

  /** The programs' "tile" lines: tile row and column of warp w's tile t, t < {@code perWarp}. */
  private static void appendTiles(StringBuilder s, DmmaTiling tiling, int perWarp) {
    for (int w = 0; w < tiling.warps(); w++) {
      for (int t = 0; t < perWarp; t++) {
        s.append(String.format("tile %d %d %d %d%n", w, t, tiling.tileRow(w, t),
            tiling.tileCol(w, t)));
      }
    }
  }

  /** The programs' "chunk" lines: where each of every thread's cp.async chunks goes. */
  private static void appendChunks(StringBuilder s, DmmaTiling tiling) {
    for (int c = 0; c < tiling.threads() * tiling.chunksPerThread(); c++) {
      s.append(String.format("chunk %d %d %d %d %d%n", c, tiling.aChunkRow(c),
          tiling.aChunkK(c), tiling.bChunkK(c), tiling.bChunkCol(c)));
    }
  }

  @Test
  void javaMirror_printsWhatTheHeaderComputes(@TempDir Path tmp) throws Exception {
    assertEquals(javaTable(), hostRun(tmp, PROGRAM));
  }

  @Test
  void wideJavaMirror_printsWhatTheWideHeaderComputes(@TempDir Path tmp) throws Exception {
    assertEquals(wideJavaTable(), hostRun(tmp, WIDE_PROGRAM));
    assertEquals(KernelGeometry.DMMA_WIDE_SHARED_BYTES, DmmaWideLayout.SHARED_BYTES);
  }

  /** Compiles {@code program} with the headers on the host's c++ and returns what it prints. */
  private static String hostRun(Path tmp, String program) throws Exception {
    Optional<Path> cxx = CudaToolchain.find("c++");
    assumeTrue(cxx.isPresent(), "no c++ on PATH: the layout headers not compiled on the host");
    Path cuda = CudaToolchain.projectRoot().resolve("kernels/src/main/cuda");
    Files.writeString(tmp.resolve("layout.cpp"), program);
    CudaToolchain.Result built = CudaToolchain.run(List.of(cxx.get().toString(),
        "-D__host__=", "-D__device__=", "-I", cuda.toString(), "-o",
        tmp.resolve("layout").toString(), tmp.resolve("layout.cpp").toString()), tmp, 120);
    assertEquals(0, built.exitCode(), "c++ failed:\n" + built.output());
    CudaToolchain.Result ran = CudaToolchain.run(List.of(tmp.resolve("layout").toString()),
        tmp, 60);
    assertEquals(0, ran.exitCode(), ran.output());
    return ran.output();
  }
}
