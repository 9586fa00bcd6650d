package org.gpuattest.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checked-in ptx/*.ptx is what scripts/build-ptx.sh makes from kernels/src/main/cuda now:
 * a kernel source edited without regenerating the PTX fails here. Needs nvcc 13.0, the release
 * the script pins; skipped elsewhere.
 */
class PtxStalenessTest {
  @Test
  void buildPtx_intoATempFolder_isByteIdenticalToCheckedInPtx(@TempDir Path out)
      throws Exception {
    Optional<Path> nvcc = CudaToolchain.find("nvcc");
    assumeTrue(nvcc.isPresent(),
        "nvcc is not installed (not on PATH, not in /usr/local/cuda/bin): PTX not regenerated");
    Path root = CudaToolchain.projectRoot();
    String version = CudaToolchain.run(List.of(nvcc.get().toString(), "--version"), root, 60)
        .output();
    assumeTrue(version.contains("release 13.0,"),
        "scripts/build-ptx.sh pins nvcc 13.0; this nvcc is another release:\n" + version);

    CudaToolchain.Result r = CudaToolchain.run(
        List.of("bash", root.resolve("scripts/build-ptx.sh").toString(), out.toString()), root,
        540);
    assertEquals(0, r.exitCode(), "scripts/build-ptx.sh failed:\n" + r.output());

    Set<String> made = ptxNames(out);
    Set<String> checkedIn = ptxNames(root.resolve("ptx"));
    assertEquals(made, checkedIn,
        "ptx/ does not hold the files scripts/build-ptx.sh makes: run scripts/build-ptx.sh");
    List<String> stale = new ArrayList<>();
    for (String name : made) {
      if (Files.mismatch(out.resolve(name), root.resolve("ptx").resolve(name)) != -1) {
        stale.add("ptx/" + name);
      }
    }
    if (!stale.isEmpty()) {
      fail(String.join(", ", stale) + " differ from what kernels/src/main/cuda compiles to:"
          + " run scripts/build-ptx.sh and commit ptx/");
    }
  }

  private static Set<String> ptxNames(Path dir) throws java.io.IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".ptx"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
