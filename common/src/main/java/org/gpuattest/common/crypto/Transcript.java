package org.gpuattest.common.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.gpuattest.common.util.Bytes;

/**
 * The bytes a signature covers: a domain string, then each field in a fixed order, with no
 * JSON in between, so any implementation can rebuild them without canonicalising JSON.
 * Encoding (docs/protocol.md, "Signatures"): strings and byte strings as LE32(length) then the
 * bytes (UTF-8 for strings); integers as LE32 or LE64; doubles as LE64 of their IEEE 754 bits.
 */
public final class Transcript {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  public Transcript(String domain) {
    str(domain);
  }

  public Transcript str(String s) {
    return bytes(s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8));
  }

  public Transcript bytes(byte[] b) {
    u32(b.length);
    out.writeBytes(b);
    return this;
  }

  public Transcript u32(int v) {
    out.writeBytes(Bytes.le32(v));
    return this;
  }

  public Transcript u64(long v) {
    byte[] b = new byte[8];
    Bytes.putLe64(b, 0, v);
    out.writeBytes(b);
    return this;
  }

  public Transcript f64(double v) {
    return u64(Double.doubleToRawLongBits(v));
  }

  public byte[] toByteArray() {
    return out.toByteArray();
  }
}
