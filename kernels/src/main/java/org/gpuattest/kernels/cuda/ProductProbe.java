package org.gpuattest.kernels.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.gpuattest.common.spec.CanonicalProduct;
import org.gpuattest.common.spec.Operands;
import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.kernels.cuda.CudaDriver.Function;

/**
 * Before a device uses the tensor-core product, it multiplies one small case (n = 128: four
 * blocks, every warp and fragment position) with it and compares every bit of C with the CPU
 * reference; any difference keeps the device on the FFMA kernel, and says so. The order of
 * mma.m8n8k4.f64's additions was measured on an H100, not promised by NVIDIA for every GPU.
 */
final class ProductProbe {
  static final int N = 128;
  private static final PhiloxKey KEY = new PhiloxKey(0x70be, 0xd33a);

  private ProductProbe() {}

  /** Whether the tensor-core kernel's C equals the CPU's, bit for bit, on the probe case. */
  static boolean tensorCoresAgree(CudaDriver driver, CudaDriver.Stream stream,
      Function fill, Function dmma) throws CudaException {
    long bytes = (long) N * N * Double.BYTES;
    DevicePointer a = null;
    DevicePointer b = null;
    DevicePointer c = null;
    try {
      a = driver.allocate(bytes);
      b = driver.allocate(bytes);
      c = driver.allocate(bytes);
      long pairs = (long) N * N / 2;
      driver.launch(fill, KernelGeometry.fillGrid(N), KernelGeometry.fillBlock(), 0, stream, a,
          pairs, KEY.k0(), KEY.k1(), 0, 0, 0);
      driver.launch(fill, KernelGeometry.fillGrid(N), KernelGeometry.fillBlock(), 0, stream, b,
          pairs, KEY.k0(), KEY.k1(), 0, 0, 1);
      driver.launch(dmma, KernelGeometry.dmmaGrid(N), KernelGeometry.dmmaBlock(), 0, stream, a,
          b, c, N);
      driver.synchronize(stream);
      byte[] got = new byte[(int) bytes];
      driver.copyToHost(got, c);
      double[] expected = new double[N * N];
      CanonicalProduct.multiply(Operands.matrixA(KEY, 0, 0, N), N, Operands.matrixB(KEY, 0, N),
          N, expected);
      ByteBuffer g = ByteBuffer.wrap(got).order(ByteOrder.LITTLE_ENDIAN);
      for (int e = 0; e < expected.length; e++) {
        if (Double.doubleToRawLongBits(expected[e]) != g.getLong(8 * e)) {
          return false;
        }
      }
      return true;
    } finally {
      for (DevicePointer p : new DevicePointer[] {c, b, a}) {
        if (p != null) {
          driver.free(p);
        }
      }
    }
  }
}
