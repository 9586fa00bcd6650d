// philox_fill: one operand matrix of canonical-v1 (docs/protocol.md, section 1.4, "Operand
// elements"). Thread p computes the Philox4x32-10 block with counter (p, c1, c2, c3) and
// writes elements 2p (from u = x1 << 32 | x0) and 2p+1 (from u = x3 << 32 | x2) with one
// 16-byte store. The host passes pairs = n*n/2 and (c1, c2, c3) = (t, g, 0) for A(g,t) and
// (0, g, 1) for B(g); launch shape KernelGeometry.fillGrid(n) x fillBlock() (256 threads).
#include "canonical_v1.cuh"

extern "C" __global__ void philox_fill(double* out, unsigned long long pairs, unsigned int k0,
                                       unsigned int k1, unsigned int c1, unsigned int c2,
                                       unsigned int c3) {
  unsigned long long p = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
  if (p >= pairs) {
    return;
  }
  // c0 = e >> 1 = p, below 2^27 for n <= 16384 (section 1.4), so the 32-bit cut never wraps.
  uint4 x = philox4x32_10(make_uint4((uint32_t)p, c1, c2, c3), k0, k1);
  double even = canonical_element((uint64_t)x.y << 32 | x.x);
  double odd = canonical_element((uint64_t)x.w << 32 | x.z);
  reinterpret_cast<double2*>(out)[p] = make_double2(even, odd);
}
