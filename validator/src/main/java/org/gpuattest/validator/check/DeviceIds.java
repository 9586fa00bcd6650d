package org.gpuattest.validator.check;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gpuattest.common.message.DeviceReport;

/**
 * A device's UUID and PCI bus id in canonical form, for {@code devices.distinct}: two ids name
 * the same device exactly when their canonical forms are equal, however the prover spelled
 * them, and an id that is in no accepted form is malformed (empty result) rather than
 * different. Without this one GPU could be claimed twice as "GPU-3b8f..." and "3B8F...", or as
 * "0000:18:00.0" and "00000000:18:00.0".
 *
 * <p>cuda backend (the forms nvidia-smi, NVML's nvmlDeviceGetUUID and nvmlPciInfo_t, and the
 * CUDA runtime's cudaDeviceGetPCIBusId write):
 *
 * <ul>
 *   <li>UUID: {@code GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}, x a hex digit of either case;
 *       the {@code GPU-} prefix (any case) may be left out. Canonical: the 8-4-4-4-12 hex
 *       groups in lower case, without the prefix.
 *   <li>PCI bus id: {@code domain:bus:device.function} with a 4- or 8-digit hex domain
 *       (cudaDeviceGetPCIBusId writes 4 digits in 13 bytes, NVML's busId 8), 2 hex digits of
 *       bus and of device, the device at most 1f (nvmlPciInfo_t: "0 to 31"), and a function
 *       0-7. Canonical: the four numbers, written {@code %08x:%02x:%02x.%d}.
 * </ul>
 *
 * <p>cpu backend: the ids are synthetic ({@code CPU-<host tag>-<ordinal>} and {@code
 * cpu:<ordinal>}, kernels' CpuIdentity), so any text is accepted that is not empty, does not
 * start or end with whitespace, and holds no control, format (bidi, zero-width), separator or
 * unpaired surrogate character. Canonical: the text case-folded code point by code point
 * (upper case, then lower case, as {@link String#equalsIgnoreCase} compares).
 *
 * <p>Surrounding whitespace is malformed for both backends, not trimmed: the prover signs the
 * exact text, and the validator does not guess what it meant.
 */
final class DeviceIds {
  /** What a cuda UUID must look like, for the verdict's "expected". */
  static final String CUDA_UUID_FORM = "GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (hex digits)";
  /** What a cuda PCI bus id must look like, for the verdict's "expected". */
  static final String CUDA_PCI_FORM = "domain:bus:device.function in hex: a 4- or 8-digit"
      + " domain, 2-digit bus, 2-digit device 00-1f, function 0-7 (e.g. 00000000:18:00.0)";
  /** What a cpu id must look like, for the verdict's "expected". */
  static final String CPU_FORM = "text without surrounding whitespace or control characters";

  private static final String HEX = "[0-9a-fA-F]";
  private static final Pattern CUDA_UUID = Pattern.compile("(?:[Gg][Pp][Uu]-)?("
      + HEX + "{8}-" + HEX + "{4}-" + HEX + "{4}-" + HEX + "{4}-" + HEX + "{12})");
  private static final Pattern CUDA_PCI = Pattern.compile(
      "(" + HEX + "{4}|" + HEX + "{8}):(" + HEX + "{2}):(" + HEX + "{2})\\.([0-7])");

  private DeviceIds() {}

  /** The canonical form of a device's UUID, or empty when it is malformed for its backend. */
  static Optional<String> uuid(String backend, String uuid) {
    if (DeviceReport.CPU.equals(backend)) {
      return cpu(uuid);
    }
    Matcher m = CUDA_UUID.matcher(uuid);
    return m.matches() ? Optional.of(m.group(1).toLowerCase(Locale.ROOT)) : Optional.empty();
  }

  /** The canonical form of a device's PCI bus id, or empty when malformed for its backend. */
  static Optional<String> pciBusId(String backend, String pciBusId) {
    if (DeviceReport.CPU.equals(backend)) {
      return cpu(pciBusId);
    }
    Matcher m = CUDA_PCI.matcher(pciBusId);
    if (!m.matches()) {
      return Optional.empty();
    }
    long domain = Long.parseLong(m.group(1), 16);
    int bus = Integer.parseInt(m.group(2), 16);
    int device = Integer.parseInt(m.group(3), 16);
    int function = Integer.parseInt(m.group(4));
    if (device > 0x1f) {
      return Optional.empty();
    }
    return Optional.of(String.format("%08x:%02x:%02x.%d", domain, bus, device, function));
  }

  /** The form {@link #uuid} accepts for this backend, in words. */
  static String uuidForm(String backend) {
    return DeviceReport.CPU.equals(backend) ? CPU_FORM : CUDA_UUID_FORM;
  }

  /** The form {@link #pciBusId} accepts for this backend, in words. */
  static String pciBusIdForm(String backend) {
    return DeviceReport.CPU.equals(backend) ? CPU_FORM : CUDA_PCI_FORM;
  }

  private static Optional<String> cpu(String id) {
    if (id.isEmpty() || blank(id.codePointAt(0)) || blank(id.codePointBefore(id.length()))) {
      return Optional.empty();
    }
    StringBuilder folded = new StringBuilder(id.length());
    for (int i = 0; i < id.length(); ) {
      int cp = id.codePointAt(i);
      switch (Character.getType(cp)) {
        case Character.CONTROL, Character.FORMAT, Character.SURROGATE,
            Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> {
          return Optional.empty();
        }
        default -> folded.appendCodePoint(Character.toLowerCase(Character.toUpperCase(cp)));
      }
      i += Character.charCount(cp);
    }
    return Optional.of(folded.toString());
  }

  private static boolean blank(int cp) {
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp);
  }
}
