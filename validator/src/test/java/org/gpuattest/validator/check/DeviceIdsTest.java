package org.gpuattest.validator.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Optional;
import org.gpuattest.common.message.DeviceReport;
import org.junit.jupiter.api.Test;

/**
 * DeviceIds gives every spelling of one device's UUID or PCI bus id the same canonical form,
 * different devices different forms, and refuses text in no accepted form.
 */
class DeviceIdsTest {
  static final String CUDA = DeviceReport.CUDA;
  static final String CPU = DeviceReport.CPU;
  static final String UUID = "GPU-3b8f2c1e-6a4d-4f7a-9c2e-1d5b7a3e9f60";
  static final String CANONICAL_UUID = "3b8f2c1e-6a4d-4f7a-9c2e-1d5b7a3e9f60";

  @Test
  void uuid_nvidiaSmiForm_isLowerCaseHexWithoutPrefix() {
    assertEquals(Optional.of(CANONICAL_UUID), DeviceIds.uuid(CUDA, UUID));
  }

  @Test
  void uuid_respellings_haveOneCanonicalForm() {
    for (String s : List.of("GPU-3B8F2C1E-6A4D-4F7A-9C2E-1D5B7A3E9F60",
        "3b8f2c1e-6a4d-4f7a-9c2e-1d5b7a3e9f60", "3B8F2C1E-6A4D-4F7A-9C2E-1D5B7A3E9F60",
        "gpu-3b8f2c1e-6a4d-4f7a-9c2e-1d5b7a3e9f60", "GPU-3b8F2c1E-6a4d-4F7a-9c2e-1d5b7A3e9f60")) {
      assertEquals(Optional.of(CANONICAL_UUID), DeviceIds.uuid(CUDA, s), s);
    }
  }

  @Test
  void uuid_anotherGpu_hasAnotherCanonicalForm() {
    assertNotEquals(DeviceIds.uuid(CUDA, UUID),
        DeviceIds.uuid(CUDA, "GPU-a71e5d09-2c8b-4e13-b6f4-58d0c2e97a14"));
  }

  @Test
  void uuid_malformedForCuda_isEmpty() {
    for (String s : List.of("", " " + UUID, UUID + " ", UUID + "\n", "\t" + UUID,
        UUID + "\u00a0", "GPU-", "GPU-3b8f2c1e6a4d4f7a9c2e1d5b7a3e9f60",
        "GPU-3b8f2c1e-6a4d-4f7a-9c2e-1d5b7a3e9f6", "GPU-3b8f2c1e-6a4d-4f7a-9c2e-1d5b7a3e9f600",
        "GPU-3b8f2c1e-test-4f7a-9c2e-1d5b7a3e9f60", "GPU-3b8f2c1g-6a4d-4f7a-9c2e-1d5b7a3e9f60",
        "GPU--3b8f2c1e-6a4d-4f7a-9c2e-1d5b7a3e9f60", "GPU 3b8f2c1e-6a4d-4f7a-9c2e-1d5b7a3e9f60",
        "MIG-3b8f2c1e-6a4d-4f7a-9c2e-1d5b7a3e9f60", "{3b8f2c1e-6a4d-4f7a-9c2e-1d5b7a3e9f60}",
        "GPU-\uff13b8f2c1e-6a4d-4f7a-9c2e-1d5b7a3e9f60", "CPU-0123456789ab-0")) {
      assertEquals(Optional.empty(), DeviceIds.uuid(CUDA, s), s);
    }
  }

  @Test
  void pciBusId_fourAndEightDigitDomains_haveOneCanonicalForm() {
    assertEquals(Optional.of("00000000:18:00.0"), DeviceIds.pciBusId(CUDA, "0000:18:00.0"));
    assertEquals(Optional.of("00000000:18:00.0"), DeviceIds.pciBusId(CUDA, "00000000:18:00.0"));
  }

  @Test
  void pciBusId_hexCase_doesNotMatter() {
    Optional<String> canonical = Optional.of("0000abcd:2a:1f.7");
    for (String s : List.of("ABCD:2A:1F.7", "abcd:2a:1f.7", "0000ABCD:2a:1F.7",
        "0000abcd:2A:1f.7")) {
      assertEquals(canonical, DeviceIds.pciBusId(CUDA, s), s);
    }
  }

  @Test
  void pciBusId_eachNumberDiffering_isAnotherDevice() {
    String base = "0000:18:00.0";
    for (String other : List.of("0001:18:00.0", "0000:19:00.0", "0000:18:01.0", "0000:18:00.1",
        "10000000:18:00.0")) {
      assertNotEquals(DeviceIds.pciBusId(CUDA, base), DeviceIds.pciBusId(CUDA, other), other);
    }
  }

  @Test
  void pciBusId_malformedForCuda_isEmpty() {
    for (String s : List.of("", " 0000:18:00.0", "0000:18:00.0 ", "0000:18:00.0\n",
        "18:00.0", "000:18:00.0", "00000:18:00.0", "000000000:18:00.0", "0000:018:00.0",
        "0000:8:00.0", "0000:18:0.0", "0000:18:00", "0000:18:00.8", "0000:18:00.a",
        "0000:18:00.00", "0000:18:20.0", "0000:18:ff.0", "0000-18-00.0", "0x0000:18:00.0",
        "0000:1g:00.0", "cpu:0")) {
      assertEquals(Optional.empty(), DeviceIds.pciBusId(CUDA, s), s);
    }
  }

  @Test
  void cpuIds_differingOnlyInCase_haveOneCanonicalForm() {
    assertEquals(DeviceIds.uuid(CPU, "CPU-0123456789ab-0"),
        DeviceIds.uuid(CPU, "cpu-0123456789AB-0"));
    assertEquals(DeviceIds.pciBusId(CPU, "cpu:0"), DeviceIds.pciBusId(CPU, "CPU:0"));
    assertNotEquals(DeviceIds.pciBusId(CPU, "cpu:0"), DeviceIds.pciBusId(CPU, "cpu:1"));
  }

  @Test
  void cpuIds_surroundingWhitespaceOrControls_areEmpty() {
    for (String s : List.of("", " cpu:0", "cpu:0 ", "cpu:0\t", "\ncpu:0", "cpu:0\u00a0",
        "\u3000cpu:0", "cpu:\u00000", "cpu:0\u001b[2K", "cpu:\u00850", "cpu:0\u2028",
        "cpu:0\u202e", "cpu:\u200b0", "cpu:0\ud800")) {
      assertEquals(Optional.empty(), DeviceIds.uuid(CPU, s), s);
      assertEquals(Optional.empty(), DeviceIds.pciBusId(CPU, s), s);
    }
  }

  @Test
  void cpuIds_synthetic_areAcceptedAsWritten() {
    assertEquals(Optional.of("cpu-0123456789ab-3"), DeviceIds.uuid(CPU, "CPU-0123456789ab-3"));
    assertEquals(Optional.of("cpu:3"), DeviceIds.pciBusId(CPU, "cpu:3"));
  }

  @Test
  void forms_nameWhatEachBackendExpects() {
    assertEquals(DeviceIds.CUDA_UUID_FORM, DeviceIds.uuidForm(CUDA));
    assertEquals(DeviceIds.CUDA_PCI_FORM, DeviceIds.pciBusIdForm(CUDA));
    assertEquals(DeviceIds.CPU_FORM, DeviceIds.uuidForm(CPU));
    assertEquals(DeviceIds.CPU_FORM, DeviceIds.pciBusIdForm(CPU));
  }
}
