package org.gpuattest.common.gpu;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one SM of a compute capability holds at once: the limits the CUDA occupancy calculator
 * takes per architecture (CUDA 13.0 {@code cuda_occupancy.h}: cudaOccMaxBlocksPerMultiprocessor,
 * cudaOccRegAllocationGranularity, cudaOccSMemAllocationGranularity, four register
 * sub-partitions; and the per-capability table of the CUDA C++ Programming Guide, "Technical
 * Specifications per Compute Capability"). {@link ProductGeometry} turns a kernel's registers
 * and shared memory into resident blocks per SM with them, as
 * {@code cuOccupancyMaxActiveBlocksPerMultiprocessor} does.
 *
 * @param code major * 10 + minor (90 for "9.0", 120 for "12.0")
 * @param maxBlocks resident blocks per SM, whatever their size
 * @param maxThreads resident threads per SM
 * @param sharedBytes shared memory per SM at the largest carveout
 * @param sharedOptInBytes the most shared memory one block may opt in to
 * @param reservedSharedBytes shared memory the driver reserves per block (8.0 and up)
 */
public record SmArchitecture(int code, int maxBlocks, int maxThreads, int sharedBytes,
    int sharedOptInBytes, int reservedSharedBytes) {
  /** Registers per SM, on every architecture here; allocated to warps in units of 256. */
  public static final int REGISTERS = 65536;
  public static final int REGISTER_UNIT = 256;
  public static final int SUB_PARTITIONS = 4;
  public static final int WARP = 32;

  private static final int KIB = 1024;
  private static final Pattern CAPABILITY = Pattern.compile("([1-9][0-9]?)\\.([0-9])");

  /** The architectures the product kernels may run on (their PTX targets sm_75 and sm_80). */
  public static final List<SmArchitecture> KNOWN = List.of(
      new SmArchitecture(75, 16, 1024, 64 * KIB, 64 * KIB, 0),
      new SmArchitecture(80, 32, 2048, 164 * KIB, 163 * KIB, KIB),
      new SmArchitecture(86, 16, 1536, 100 * KIB, 99 * KIB, KIB),
      new SmArchitecture(87, 16, 1536, 164 * KIB, 163 * KIB, KIB),
      new SmArchitecture(89, 24, 1536, 100 * KIB, 99 * KIB, KIB),
      new SmArchitecture(90, 32, 2048, 228 * KIB, 227 * KIB, KIB),
      new SmArchitecture(100, 32, 2048, 228 * KIB, 227 * KIB, KIB),
      new SmArchitecture(103, 32, 2048, 228 * KIB, 227 * KIB, KIB),
      new SmArchitecture(120, 24, 1536, 100 * KIB, 99 * KIB, KIB),
      new SmArchitecture(121, 24, 1536, 100 * KIB, 99 * KIB, KIB));

  /** Shared memory is allocated to blocks in these units from 8.0 on (256 before). */
  public int sharedUnit() {
    return code >= 80 ? 128 : 256;
  }

  /** major * 10 + minor of "major.minor" (as DeviceReport.computeCapability), if it is one. */
  public static OptionalInt code(String computeCapability) {
    if (computeCapability == null) {
      return OptionalInt.empty();
    }
    Matcher m = CAPABILITY.matcher(computeCapability);
    if (!m.matches()) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(Integer.parseInt(m.group(1)) * 10 + Integer.parseInt(m.group(2)));
  }

  /** The architecture of this compute capability, if the table has it. */
  public static Optional<SmArchitecture> find(String computeCapability) {
    OptionalInt code = code(computeCapability);
    if (code.isEmpty()) {
      return Optional.empty();
    }
    return KNOWN.stream().filter(a -> a.code == code.getAsInt()).findFirst();
  }

  /** "9.0" for 90. */
  public String capability() {
    return code / 10 + "." + code % 10;
  }
}
