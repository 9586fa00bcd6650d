package org.gpuattest.kernels.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gpuattest.kernels.BackendException;

/**
 * The checked-in PTX of the canonical kernels, as the kernels jar carries it (top-level
 * {@code ptx/}, packed under this package's {@code ptx/} folder).
 */
public final class PtxLibrary {
  private static final Pattern VERSION = Pattern.compile("(?m)^\\s*\\.version\\s+(\\d+\\.\\d+)");

  private PtxLibrary() {}

  /** The PTX text of one file of ptx/. */
  public static String text(String file) throws BackendException {
    try (InputStream in = PtxLibrary.class.getResourceAsStream("ptx/" + file)) {
      if (in == null) {
        throw new BackendException("cuda backend: this build has no ptx/" + file
            + " (run scripts/build-ptx.sh and rebuild)");
      }
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new BackendException("cuda backend: cannot read ptx/" + file + ": " + e.getMessage(),
          e);
    }
  }

  /** The PTX ISA version a PTX text declares, such as "7.0". */
  public static Optional<String> isaVersion(String ptx) {
    Matcher m = VERSION.matcher(ptx);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** A driver version from cuDriverGetVersion (12060) as the CUDA release it supports (12.6). */
  public static String cudaRelease(int driverVersion) {
    return driverVersion / 1000 + "." + (driverVersion % 1000) / 10;
  }
}
