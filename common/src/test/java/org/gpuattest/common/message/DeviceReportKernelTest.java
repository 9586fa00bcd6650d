package org.gpuattest.common.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.gpuattest.common.BadMessageException;
import org.gpuattest.common.crypto.Ed25519PrivateKey;
import org.gpuattest.common.crypto.Transcript;
import org.gpuattest.common.json.Json;
import org.gpuattest.common.util.Bytes;
import org.gpuattest.common.util.Hex;
import org.junit.jupiter.api.Test;

/**
 * The optional {@code kernel} of a device report (docs/protocol.md §4.2, §5): read and written
 * as JSON, absent or null alike; signed behind its own tag only when present, so a commitment
 * without it signs exactly the bytes it did before the field existed.
 */
class DeviceReportKernelTest {
  private static final Ed25519PrivateKey KEY = Ed25519PrivateKey.fromSeed(new byte[32]);
  private static final byte[] CHALLENGE = Bytes.sha256(new byte[] {1});
  private static final KernelChoice WIDE = new KernelChoice("matmul_dmma_wide",
      "the fastest kernel whose tile divides n");

  private static DeviceReport report(KernelChoice kernel) {
    long[] blocks = new long[4];
    Arrays.fill(blocks, 3);
    return new DeviceReport(0, "NVIDIA H100 80GB HBM3", "GPU-0", "0000:18:00.0", "9.0", 4,
        1L << 30, "13.0", DeviceReport.CUDA, Hex.encode(Bytes.sha256(new byte[] {2})),
        new Timing(10, 20, 30, 5), new SmMonitor(blocks, 0.9), kernel);
  }

  /** The commitment transcript as docs/protocol.md §5 wrote it before the kernel field. */
  private static byte[] transcriptWithoutKernel(Commitment c) {
    DeviceReport r = c.devices().get(0);
    Transcript t = new Transcript("commitment-signature/v1")
        .bytes(Hex.decode("challengeDigest", c.challengeDigest(), 32))
        .bytes(Hex.decode("commitmentDigest", c.commitmentDigest(), 32)).u32(1)
        .u32(r.index()).str(r.name()).str(r.uuid()).str(r.pciBusId())
        .str(r.computeCapability()).u32(r.smCount()).u64(r.memoryBytes())
        .str(r.driverVersion()).str(r.backend()).bytes(r.rootBytes())
        .u64(10).u64(20).u64(30).u64(5).u32(4);
    for (int i = 0; i < 4; i++) {
      t.u64(3);
    }
    return t.f64(0.9).str(c.proverPublicKey()).toByteArray();
  }

  @Test
  void signingBytes_withoutKernel_areTheTranscriptOfBefore() {
    Commitment c = Commitment.sign(CHALLENGE, List.of(report(null)), KEY);
    assertArrayEquals(transcriptWithoutKernel(c), c.signingBytes());
  }

  @Test
  void signingBytes_withKernel_addTagNameAndReasonAfterTheDevice() {
    Commitment c = Commitment.sign(CHALLENGE, List.of(report(WIDE)), KEY);
    byte[] before = transcriptWithoutKernel(c);
    int key = 4 + c.proverPublicKey().getBytes(StandardCharsets.UTF_8).length; // str(pem)
    ByteArrayOutputStream want = new ByteArrayOutputStream();
    want.writeBytes(Arrays.copyOf(before, before.length - key));
    // str("kernel") str(name) str(reason): a Transcript's domain is written as str(domain)
    want.writeBytes(new Transcript("kernel").str(WIDE.name()).str(WIDE.reason()).toByteArray());
    want.writeBytes(Arrays.copyOfRange(before, before.length - key, before.length));
    assertArrayEquals(want.toByteArray(), c.signingBytes());
  }

  @Test
  void signature_coversTheKernel() throws Exception {
    Commitment signed = Commitment.sign(CHALLENGE, List.of(report(WIDE)), KEY);
    Commitment edited = new Commitment(1, signed.challengeDigest(),
        List.of(signed.devices().get(0).withKernel(new KernelChoice("matmul_dmma",
            WIDE.reason()))), signed.proverCpuNanos(), signed.commitmentDigest(),
        signed.proverPublicKey(),
        signed.signature());
    assertFalse(Arrays.equals(signed.signingBytes(), edited.signingBytes()));
  }

  @Test
  void json_kernelPresent_roundTrips_absentOrNull_readsAsNone() throws Exception {
    Commitment with = Commitment.sign(CHALLENGE, List.of(report(WIDE)), KEY);
    String json = Json.writeString(with);
    assertTrue(json.contains("\"kernel\" : {\n      \"name\" : \"matmul_dmma_wide\""), json);
    assertEquals(with, Json.read("commitment", json.getBytes(StandardCharsets.UTF_8),
        Commitment.class));
    Commitment without = Commitment.sign(CHALLENGE, List.of(report(null)), KEY);
    String plain = Json.writeString(without);
    assertFalse(plain.contains("kernel\""), "writers omit an absent kernel");
    String nulled = plain.replace("\"smMonitor\" :", "\"kernel\" : null,\n    \"smMonitor\" :");
    assertNull(Json.read("commitment", nulled.getBytes(StandardCharsets.UTF_8),
        Commitment.class).devices().get(0).kernel());
  }

  @Test
  void json_kernelWithoutReasonOrWithAnUnknownField_isRefused() {
    String json = Json.writeString(Commitment.sign(CHALLENGE, List.of(report(WIDE)), KEY));
    for (String bad : new String[] {
        json.replace(",\n      \"reason\" : \"the fastest kernel whose tile divides n\"", ""),
        json.replace("\"name\" : \"matmul_dmma_wide\"",
            "\"name\" : \"matmul_dmma_wide\", \"blocksPerSm\" : 9")}) {
      assertFalse(bad.equals(json));
      assertThrows(BadMessageException.class,
          () -> Json.read("commitment", bad.getBytes(StandardCharsets.UTF_8), Commitment.class));
    }
  }
}
