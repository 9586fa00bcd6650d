package org.gpuattest.validator.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.DeviceReport;
import org.gpuattest.common.util.Counts;
import org.gpuattest.validator.GpuProfiles;

/** That the devices are the G distinct GPUs of the claimed model, on an accepted backend. */
final class DeviceChecks {
  static final String CPU_SKIP = "cpu backend";

  private DeviceChecks() {}

  static Check backend(Evidence e) {
    Set<String> backends = new HashSet<>();
    e.commitment().devices().forEach(d -> backends.add(d.backend()));
    if (backends.equals(Set.of(DeviceReport.CUDA))) {
      return Check.pass("devices.backend", "cuda", "cuda", "Every device ran the CUDA backend.");
    }
    if (backends.equals(Set.of(DeviceReport.CPU))) {
      if (e.options().allowCpu()) {
        return Check.pass("devices.backend", "cpu", "cuda, or cpu with --allow-cpu",
            "CPU backend allowed by --allow-cpu: this proves the computation, not a GPU.");
      }
      return Check.fail("devices.backend", "cpu", "cuda",
          "The prover ran the CPU backend; that proves no GPU. Pass --allow-cpu only for"
              + " demos and tests.");
    }
    return Check.fail("devices.backend", String.join("+", backends), "one backend",
        "Devices report different backends; a commitment comes from one backend.");
  }

  static Check count(Evidence e) {
    List<DeviceReport> devices = e.commitment().devices();
    int g = e.challenge().devices();
    for (int i = 0; i < devices.size(); i++) {
      if (devices.get(i).index() != i) {
        return Check.fail("devices.count", "index " + devices.get(i).index() + " at " + i,
            "index " + i + " at " + i, "Device reports must be listed by index.");
      }
    }
    var figures = Figures.of("reportedDevices", devices.size(), "claimedDevices", g);
    if (devices.size() != g) {
      return Check.fail("devices.count", String.valueOf(devices.size()), String.valueOf(g),
          "The commitment reports " + Counts.count(devices.size(), "device")
              + " but the challenge claims " + g + ".").withFigures(figures);
    }
    return Check.pass("devices.count", String.valueOf(g), String.valueOf(g),
        "The commitment reports the " + Counts.count(g, "claimed device") + ".")
        .withFigures(figures);
  }

  /**
   * No device is claimed twice: no two reports share a UUID or a PCI bus id, compared in
   * {@link DeviceIds}' canonical forms so that a respelling is the same id. A malformed id fails
   * too, since it cannot be compared.
   */
  static Check distinct(Evidence e) {
    Map<String, Integer> uuids = new HashMap<>();
    Map<String, Integer> pci = new HashMap<>();
    for (DeviceReport d : e.commitment().devices()) {
      Optional<String> uuid = DeviceIds.uuid(d.backend(), d.uuid());
      if (uuid.isEmpty()) {
        return malformed(d, "UUID", d.uuid(), DeviceIds.uuidForm(d.backend()));
      }
      Optional<String> bus = DeviceIds.pciBusId(d.backend(), d.pciBusId());
      if (bus.isEmpty()) {
        return malformed(d, "PCI bus id", d.pciBusId(), DeviceIds.pciBusIdForm(d.backend()));
      }
      Integer first = uuids.putIfAbsent(uuid.get(), d.index());
      if (first != null) {
        return Check.fail("devices.distinct",
            "devices " + first + " and " + d.index() + " share UUID " + uuid.get(),
            "distinct UUIDs", "One device is claimed twice (same UUID, however spelled); each"
                + " claimed GPU must be a different one.");
      }
      first = pci.putIfAbsent(bus.get(), d.index());
      if (first != null) {
        return Check.fail("devices.distinct",
            "devices " + first + " and " + d.index() + " share PCI bus id " + bus.get(),
            "distinct PCI bus ids", "One device is claimed twice (same PCI bus id, however"
                + " spelled); each claimed GPU must be another.");
      }
    }
    return Check.pass("devices.distinct",
        Counts.count(uuids.size(), "UUID") + ", " + Counts.count(pci.size(), "PCI id"),
        "all distinct", "Every device has its own UUID and PCI bus id.");
  }

  private static Check malformed(DeviceReport d, String what, String value, String form) {
    return Check.fail("devices.distinct", "device " + d.index() + " " + what + " '" + value + "'",
        form, "Device " + d.index() + "'s " + what + " is malformed: expected " + form
            + ". An id in no accepted form cannot be compared, so the devices cannot be shown"
            + " to be distinct.");
  }

  static Check rootsDistinct(Evidence e) {
    Set<String> roots = new HashSet<>();
    for (DeviceReport d : e.commitment().devices()) {
      if (!roots.add(d.root().toLowerCase(java.util.Locale.ROOT))) {
        return Check.fail("devices.roots-distinct", "device " + d.index() + " repeats a root",
            "a different R(g) per device", "Two devices committed the same root: one device's"
                + " work is being reused for another.");
      }
    }
    return Check.pass("devices.roots-distinct", Counts.count(roots.size(), "root"),
        "all distinct", "Every device committed its own root.");
  }

  static List<Check> model(Evidence e) {
    List<Check> out = new ArrayList<>();
    if (e.cpuBackend()) {
      out.add(Check.skipped("devices.model", CPU_SKIP));
      out.add(Check.skipped("devices.sm-count", CPU_SKIP));
      return out;
    }
    String claimed = e.challenge().model();
    Optional<GpuProfiles.Profile> profile = e.profile();
    Optional<DeviceReport> other = e.commitment().devices().stream()
        .filter(d -> !d.name().equals(claimed)).findFirst();
    if (profile.isEmpty()) {
      out.add(Check.fail("devices.model", claimed, "a model in the profile table",
          "No GPU profile for '" + claimed + "'; add one before accepting such claims."));
    } else if (other.isPresent()) {
      out.add(Check.fail("devices.model", other.get().name(), claimed,
          "Device " + other.get().index() + " is not the claimed model."));
    } else {
      out.add(Check.pass("devices.model", claimed, claimed,
          "Every device reports the claimed model."));
    }
    if (profile.isEmpty()) {
      out.add(Check.fail("devices.sm-count", "-", "a profile", "No profile to compare with."));
      return out;
    }
    int want = profile.get().smCount();
    for (DeviceReport d : e.commitment().devices()) {
      if (d.smCount() != want) {
        out.add(Check.fail("devices.sm-count", String.valueOf(d.smCount()),
            String.valueOf(want), "Device " + d.index() + " reports "
                + Counts.count(d.smCount(), "SM") + "; the claimed " + claimed + " has " + want
                + ".").withFigures(Figures.of("smCount", d.smCount(), "profileSmCount", want,
                    "device", d.index())));
        return out;
      }
    }
    out.add(Check.pass("devices.sm-count", String.valueOf(want), String.valueOf(want),
        "Every device has the profile's SM count.").withFigures(Figures.of("smCount", want,
            "profileSmCount", want)));
    return out;
  }
}
