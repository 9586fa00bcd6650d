package org.gpuattest.common.message;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.gpuattest.common.Limits;
import org.gpuattest.common.util.Hex;

/** One device's memory roots m_0(g) .. m_{P-1}(g), in pass order (docs/protocol.md §4.9). */
public record DeviceMemoryRoots(
    @JsonProperty(required = true) int index,
    List<String> roots) {
  public DeviceMemoryRoots {
    Limits.range("index", index, 0, Limits.MAX_DEVICES - 1);
    Limits.required("roots", roots);
    Limits.range("roots (count)", roots.size(), 1, Limits.MAX_PASSES);
    for (int p = 0; p < roots.size(); p++) {
      Hex.decode("roots[" + p + "]", roots.get(p), 32);
    }
    roots = List.copyOf(roots);
  }

  /** m_p(g) as 32 bytes. */
  public byte[] root(int p) {
    return Hex.decode("roots[" + p + "]", roots.get(p), 32);
  }

  /** Every m_p(g) as 32 bytes, in pass order. */
  @JsonIgnore
  public byte[][] rootBytes() {
    byte[][] out = new byte[roots.size()][];
    for (int p = 0; p < out.length; p++) {
      out[p] = root(p);
    }
    return out;
  }
}
