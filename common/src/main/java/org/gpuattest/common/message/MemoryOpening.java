package org.gpuattest.common.message;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.gpuattest.common.Limits;
import org.gpuattest.common.util.Hex;

/**
 * One opened element of the memory phase (docs/protocol.md §4.4): y_p(t)[i] for the sample's
 * pass p, as the 16 hex digits of its binary64 bits; the vector root s_p(g, t) with the audit
 * path of leaf i under it; and that root's audit path to m_p(g) (leaf t - first of the K-leaf
 * tree). The value is for the validator's message only: it checks the element it computes.
 */
public record MemoryOpening(
    @JsonProperty(required = true) int pass,
    String value,
    String vectorRoot,
    List<String> vectorPath,
    List<String> memoryPath) {
  public MemoryOpening {
    Limits.range("memory.pass", pass, 0, Limits.MAX_PASSES - 1);
    Hex.decode("memory.value", value, 8);
    Hex.decode("memory.vectorRoot", vectorRoot, 32);
    vectorPath = Opening.path("memory.vectorPath", vectorPath);
    memoryPath = Opening.path("memory.memoryPath", memoryPath);
  }

  /** The 16 hex digits of y's binary64 bits, most significant first. */
  public static String bits(double y) {
    return String.format("%016x", Double.doubleToRawLongBits(y));
  }

  /** The element sent, from its bits. */
  @JsonIgnore
  public double y() {
    return Double.longBitsToDouble(Long.parseUnsignedLong(value, 16));
  }
}
