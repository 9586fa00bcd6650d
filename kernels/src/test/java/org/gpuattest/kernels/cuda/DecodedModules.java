package org.gpuattest.kernels.cuda;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.gpuattest.kernels.emu.PtxLoadException;
import org.gpuattest.kernels.emu.PtxModule;

/**
 * PTX as {@link EmulatedCudaDriver} loads it: each text decoded once by the interpreter
 * ({@link PtxModule}) for a driver's newest PTX ISA and a GPU's compute capability, and kept
 * for every later load, by any driver and thread (a decoded module is read-only). The newest
 * ISA a driver takes follows from its version, as NVIDIA's table has it.
 */
final class DecodedModules {
  /**
   * The newest PTX ISA each CUDA driver loads (as major * 10 + minor), from NVIDIA's PTX ISA
   * document, "Release Notes": 7.0 came with CUDA 11.0, each 11.x adds 0.1 up to 7.8 with
   * 11.8; 8.0 with 12.0, up to 8.5 with 12.5 (12.6 adds none), 8.6 with 12.7, 8.7 with 12.8,
   * 8.8 with 12.9; 9.0 with 13.0, 9.1 with 13.1.
   */
  private static final NavigableMap<Integer, Integer> ISA_BY_DRIVER = new TreeMap<>(Map.ofEntries(
      Map.entry(11000, 70), Map.entry(11010, 71), Map.entry(11020, 72), Map.entry(11030, 73),
      Map.entry(11040, 74), Map.entry(11050, 75), Map.entry(11060, 76), Map.entry(11070, 77),
      Map.entry(11080, 78), Map.entry(12000, 80), Map.entry(12010, 81), Map.entry(12020, 82),
      Map.entry(12030, 83), Map.entry(12040, 84), Map.entry(12050, 85), Map.entry(12070, 86),
      Map.entry(12080, 87), Map.entry(12090, 88), Map.entry(13000, 90), Map.entry(13010, 91)));

  /** Decoded modules by text, ISA and compute capability. */
  private static final Map<List<Object>, PtxModule> DECODED = new ConcurrentHashMap<>();

  private DecodedModules() {}

  /** The newest PTX ISA (major * 10 + minor) a driver of this version loads. */
  static int maxIsa(int driverVersion) {
    Map.Entry<Integer, Integer> e = ISA_BY_DRIVER.floorEntry(driverVersion);
    if (e == null) {
      throw new IllegalArgumentException("no PTX ISA table for driver " + driverVersion);
    }
    return e.getValue();
  }

  /**
   * The module of {@code ptx} for a driver taking ISA {@code maxIsa} and a GPU of compute
   * capability {@code capability} (major * 10 + minor), decoded on its first load.
   *
   * @throws PtxLoadException as the driver refuses it (a refusal is not kept: it is cheap)
   */
  static PtxModule load(String ptx, int maxIsa, int capability) throws PtxLoadException {
    List<Object> key = List.of(ptx, maxIsa, capability);
    PtxModule decoded = DECODED.get(key);
    if (decoded == null) {
      decoded = PtxModule.load(ptx, maxIsa, capability);
      PtxModule first = DECODED.putIfAbsent(key, decoded);
      return first == null ? decoded : first;
    }
    return decoded;
  }
}
