package org.gpuattest.common.message;

import org.gpuattest.common.Limits;

/**
 * Which product kernel a device ran, and why the prover chose it (docs/protocol.md §4.2):
 * {@code name} is the kernel's PTX entry (matmul_ffma, matmul_dmma, matmul_dmma_wide), from
 * which the validator derives the SM bounds with its own geometry table
 * ({@code org.gpuattest.common.gpu.ProductGeometry}); {@code reason} is for people.
 */
public record KernelChoice(String name, String reason) {
  public KernelChoice {
    Limits.text("kernel.name", name);
    Limits.text("kernel.reason", reason);
  }
}
