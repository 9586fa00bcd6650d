package org.gpuattest.attestor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.gpuattest.kernels.Backend;
import org.gpuattest.kernels.BackendException;
import org.gpuattest.kernels.cuda.CudaFakes;
import org.gpuattest.kernels.cuda.CudaUnavailableException;
import org.junit.jupiter.api.Test;

/** auto takes CUDA when it opens and falls back to the CPU saying why; cuda refuses in one line. */
class BackendsTest {
  private static final Backends.CudaOpener NONE = w -> {
    throw new CudaUnavailableException("no CUDA device: the NVIDIA driver (CUDA 12.6) sees no GPU");
  };

  @Test
  void auto_gpuPresent_takesCuda() throws Exception {
    StringWriter said = new StringWriter();
    Backend b = Backends.select(Backends.Choice.AUTO, new PrintWriter(said),
        w -> CudaFakes.backend(1, 1L << 30));
    assertEquals("cuda", b.name());
    assertEquals("", said.toString());
  }

  @Test
  void auto_noGpu_fallsBackToCpuAndSaysWhy() throws Exception {
    StringWriter said = new StringWriter();
    Backend b = Backends.select(Backends.Choice.AUTO, new PrintWriter(said), NONE);
    assertEquals("cpu", b.name());
    assertTrue(said.toString().contains("no usable GPU (no CUDA device"), said.toString());
    assertTrue(said.toString().contains("--allow-cpu"), said.toString());
  }

  @Test
  void cuda_noGpu_refusedNamingWhatIsMissing() {
    BackendException e = assertThrows(BackendException.class,
        () -> Backends.select(Backends.Choice.CUDA, new PrintWriter(new StringWriter()), NONE));
    assertEquals("cuda backend: no CUDA device: the NVIDIA driver (CUDA 12.6) sees no GPU",
        e.getMessage());
  }

  @Test
  void forState_unknownBackend_refused() {
    BackendException e = assertThrows(BackendException.class,
        () -> Backends.forState("tpu", new PrintWriter(new StringWriter()), NONE));
    assertTrue(e.getMessage().contains("'tpu'"), e.getMessage());
  }
}
