// The SM monitor's two readings, shared by the product kernels (matmul_ffma.cu and
// matmul_dmma.cu): which SM a block runs on, and the global nanosecond timer. Thread 0 of a
// block reads the timer at the block's start and after its last __syncthreads, and adds one
// block and the elapsed nanoseconds at slot smid % MONITOR_SLOTS (canonical_v1.cuh) of
// smBlocks and smBusyNanos. These are volatile asm so they are neither merged nor moved.
#ifndef GPUATTEST_SM_MONITOR_CUH
#define GPUATTEST_SM_MONITOR_CUH

__device__ inline unsigned int sm_id() {
  unsigned int id;
  asm volatile("mov.u32 %0, %%smid;" : "=r"(id));
  return id;
}

__device__ inline unsigned long long global_timer() {
  unsigned long long ns;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(ns));
  return ns;
}

// The block's record, from thread 0 once the block's work is done: one more block on this SM
// and the nanoseconds since start. MONITOR_SLOTS is canonical_v1.cuh's.
__device__ inline void monitor_record(unsigned long long* smBlocks,
                                      unsigned long long* smBusyNanos,
                                      unsigned long long start) {
  unsigned long long end = global_timer();
  unsigned int slot = sm_id() % MONITOR_SLOTS;
  atomicAdd(&smBlocks[slot], 1ull);
  atomicAdd(&smBusyNanos[slot], end - start);
}

#endif  // GPUATTEST_SM_MONITOR_CUH
