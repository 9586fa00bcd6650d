// The PTX operations the FP64 tensor-core product kernels share (matmul_dmma.cu and
// matmul_dmma_wide.cu): 16-byte cp.async staging and its group waits (PTX ISA 7.0, sm_80), and
// the one mma whose order is known, mma.sync.aligned.m8n8k4.row.col.f64 (docs/protocol.md,
// section 1.5). Fragment layouts and index helpers are in dmma_layout.cuh.
#ifndef GPUATTEST_DMMA_OPS_CUH
#define GPUATTEST_DMMA_OPS_CUH

// One 16-byte asynchronous copy global -> shared (.cg: through L2 only, not L1).
__device__ __forceinline__ void cp_async_16(double* shared_dst, const double* global_src) {
  unsigned int dst = (unsigned int)__cvta_generic_to_shared(shared_dst);
  size_t src = __cvta_generic_to_global(global_src);
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(dst), "l"(src) : "memory");
}

__device__ __forceinline__ void cp_async_commit() {
  asm volatile("cp.async.commit_group;" ::: "memory");
}

// Waits until at most PENDING committed groups (the newest ones) are still in flight.
template <int PENDING>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;" ::"n"(PENDING) : "memory");
}

// d = mma(a, b, d): for each of the lane's two elements, the fma chain over k0..k3 (as
// measured on H100; see dmma_layout.cuh). row.col is the only layout m8n8k4 f64 takes. Not
// volatile: the compiler may interleave mma of different accumulators, but each accumulator
// is an input and an output of its own mma, so its chain stays in program order.
__device__ __forceinline__ void dmma_m8n8k4(double& d0, double& d1, double a, double b) {
  asm("mma.sync.aligned.m8n8k4.row.col.f64.f64.f64.f64 {%0, %1}, {%2}, {%3}, {%0, %1};"
      : "+d"(d0), "+d"(d1)
      : "d"(a), "d"(b));
}

#endif  // GPUATTEST_DMMA_OPS_CUH
