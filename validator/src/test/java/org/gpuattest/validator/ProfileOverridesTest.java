package org.gpuattest.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.gpuattest.common.BadMessageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator's profiles over the bundled table: a known model replaced whole, a new one
 * added, defaults replaced field by field, and every bad entry named on its own line.
 */
class ProfileOverridesTest {
  private static final GpuProfiles BUNDLED = GpuProfiles.bundled();
  private static final String H100 = "NVIDIA H100 80GB HBM3";
  private static final String NEW = "Acme X1";

  @TempDir Path dir;

  /** A profile entry as JSON; fields may be edited with {@code extra} (appended last). */
  static String profile(String model, int sms, double canonical) {
    return "{\"model\": \"" + model + "\", \"smCount\": " + sms + ", \"memoryGiB\": 96,"
        + " \"fp64Tflops\": 40.0, \"fp64TensorTflops\": 80.0, \"canonicalTflops\": "
        + canonical + ", \"canonicalMeasured\": true}";
  }

  static String file(String... profiles) {
    return "{\"version\": 1, \"profiles\": [" + String.join(", ", profiles) + "]}";
  }

  private static GpuProfiles apply(String json) throws BadMessageException {
    return ProfileOverrides.apply(BUNDLED, "p.json", json.getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> problems(String json) {
    return assertThrows(BadMessageException.class, () -> apply(json)).problems();
  }

  @Test
  void apply_bundledModel_replacedWholeInItsPlace() throws Exception {
    GpuProfiles t = apply(file(profile(H100, 132, 15.5)));
    GpuProfiles.Profile p = t.find(H100).orElseThrow();
    assertEquals(15.5, p.canonicalTflops());
    assertEquals(96, p.memoryGiB(), "every field is the override's, not only the ones changed");
    assertTrue(p.canonicalMeasured());
    assertEquals(BUNDLED.models(), t.models(), "same models, same order");
    assertEquals(BUNDLED.profiles().subList(1, BUNDLED.profiles().size()),
        t.profiles().subList(1, t.profiles().size()), "the other profiles are untouched");
    assertSame(BUNDLED.defaults(), t.defaults());
  }

  @Test
  void apply_newModel_addedAfterTheBundledOnes() throws Exception {
    GpuProfiles t = apply(file(profile(NEW, 100, 9.0), profile("Acme X2", 50, 4.0)));
    assertEquals(BUNDLED.profiles().size() + 2, t.profiles().size());
    assertEquals(List.of(NEW, "Acme X2"), t.models().subList(t.models().size() - 2,
        t.models().size()));
    assertEquals(100, t.find(NEW).orElseThrow().smCount());
    assertEquals(BUNDLED.profiles(), t.profiles().subList(0, BUNDLED.profiles().size()));
  }

  @Test
  void apply_defaultsGiven_replaceOnlyTheFieldsNamed() throws Exception {
    GpuProfiles t = apply("{\"version\": 1, \"defaults\": {\"tolerance\": 0.2,"
        + " \"maxRoundTripSeconds\": 0.5}}");
    GpuProfiles.Defaults d = BUNDLED.defaults();
    assertEquals(new GpuProfiles.Defaults(d.startupSeconds(), d.perDeviceSeconds(),
        d.perIterationSeconds(), d.slack(), 0.2, 0.5, d.commitSeconds(), d.maxSmImbalance(),
        d.minBusyFraction()), t.defaults());
    assertEquals(BUNDLED.profiles(), t.profiles());
  }

  @Test
  void apply_file_readFromDiskAndNamedInErrors() throws Exception {
    Path p = Files.writeString(dir.resolve("ops.json"), file(profile(NEW, 8, 1.0)));
    assertTrue(BUNDLED.withOverrides(p).find(NEW).isPresent());
    Path bad = Files.writeString(dir.resolve("bad.json"), file(profile(NEW, 0, 1.0)));
    BadMessageException e = assertThrows(BadMessageException.class,
        () -> BUNDLED.withOverrides(bad));
    assertEquals(bad + ": profiles[0] (\"Acme X1\"): smCount must be in [1, 1024], got 0",
        e.getMessage());
  }

  @Test
  void apply_canonicalAboveTensorPeak_namesTheEntryAndTheRule() {
    assertEquals(List.of("p.json: profiles[0] (\"Acme X1\"): canonicalTflops must be > 0 and <="
        + " fp64TensorTflops (80.0), got 90.0"), problems(file(profile(NEW, 8, 90.0))));
  }

  @Test
  void apply_missingField_named() {
    String entry = profile(NEW, 8, 1.0).replace("\"smCount\": 8, ", "");
    assertEquals(List.of("p.json: profiles[0] (\"Acme X1\"): field 'smCount' is required"),
        problems(file(entry)));
  }

  @Test
  void apply_misspelledField_namedAsUnknown() {
    String entry = profile(NEW, 8, 1.0).replace("smCount", "smcount");
    assertEquals(List.of("p.json: profiles[0] (\"Acme X1\"): unknown field 'smcount'"
        + " (did you mean 'smCount'?)"),
        problems(file(entry)));
  }

  @Test
  void apply_wrongTypeOrNoModelOrNotAnObject_eachNamed() {
    assertEquals(List.of("p.json: profiles[0] (\"Acme X1\"): field 'smCount': expected an"
        + " integer, got a string"),
        problems(file(profile(NEW, 8, 1.0).replace("\"smCount\": 8", "\"smCount\": \"8\""))));
    assertEquals(List.of("p.json: profiles[0]: field 'model' is required"),
        problems(file(profile(NEW, 8, 1.0).replace("\"model\": \"Acme X1\", ", ""))));
    assertEquals(List.of("p.json: profiles[0]: expected an object"), problems(file("[]")));
  }

  @Test
  void apply_modelTwiceInTheFile_laterEntryRefused() {
    assertEquals(List.of("p.json: profiles[2] (\"Acme X1\"): the model is also at profiles[0];"
        + " name each model once"),
        problems(file(profile(NEW, 8, 1.0), profile(H100, 132, 13.7), profile(NEW, 9, 1.0))));
  }

  @Test
  void apply_severalBadEntries_allReportedInOrderOneLineEach() {
    String json = "{\"version\": 1, \"profiles\": [" + profile(NEW, 0, 1.0) + ", "
        + profile("Acme X2", 8, 1.0) + ", "
        + profile("Acme X3", 8, 1.0).replace("memoryGiB", "memoryGB") + "],"
        + " \"defaults\": {\"tolerance\": 1.5}}";
    List<String> problems = problems(json);
    assertEquals(List.of(
        "p.json: profiles[0] (\"Acme X1\"): smCount must be in [1, 1024], got 0",
        "p.json: profiles[2] (\"Acme X3\"): unknown field 'memoryGB'",
        "p.json: defaults: tolerance must be in [0, 1), got 1.5"), problems);
    BadMessageException e = assertThrows(BadMessageException.class, () -> apply(json));
    assertEquals(String.join("; ", problems), e.getMessage(), "one line for a log");
  }

  @Test
  void apply_defaultsUnknownOrBadField_named() {
    assertEquals(List.of("p.json: defaults: unknown field 'tolerence'"),
        problems("{\"version\": 1, \"defaults\": {\"tolerence\": 0.2}}"));
    assertEquals(List.of("p.json: defaults: slack must be >= 1, got 0.5"),
        problems("{\"version\": 1, \"defaults\": {\"slack\": 0.5}}"));
    assertEquals(List.of("p.json: defaults: expected an object"),
        problems("{\"version\": 1, \"defaults\": 3}"));
  }

  @Test
  void apply_manyBadEntries_listCappedAndCounted() {
    String[] entries = new String[ProfileOverrides.MAX_REPORTED + 7];
    for (int i = 0; i < entries.length; i++) {
      entries[i] = profile("Acme " + i, 0, 1.0);
    }
    List<String> problems = problems(file(entries));
    assertEquals(ProfileOverrides.MAX_REPORTED + 1, problems.size());
    assertEquals("... and 7 more problems", problems.get(problems.size() - 1));
  }

  @Test
  void apply_fileLevelProblems_oneLineEach() {
    assertEquals(List.of("p.json: version 2 of the GPU profile overrides is unknown; this build"
        + " speaks version 1"), problems("{\"version\": 2, \"profiles\": []}"));
    assertEquals(List.of("p.json: unknown field 'profile'"),
        problems("{\"version\": 1, \"profile\": []}"));
    assertEquals(List.of("p.json: nothing to override: give profiles, defaults or both"),
        problems("{\"version\": 1}"));
    assertTrue(problems("{\"version\": 1, \"profiles\": [").get(0)
        .startsWith("p.json: truncated JSON"));
    assertTrue(problems("version: 1").get(0).startsWith("p.json: invalid JSON"));
  }

  @Test
  void apply_missingFolderOrHugeFile_refusedWithoutReadingIt() throws Exception {
    Path missing = dir.resolve("none.json");
    assertEquals("x: no such file", assertThrows(BadMessageException.class,
        () -> ProfileOverrides.apply(BUNDLED, "x", missing)).getMessage());
    assertEquals("x: is a folder, not a file", assertThrows(BadMessageException.class,
        () -> ProfileOverrides.apply(BUNDLED, "x", dir)).getMessage());
    Path huge = dir.resolve("huge.json");
    Files.write(huge, new byte[ProfileOverrides.MAX_FILE_BYTES + 1]);
    assertEquals("x: the file is " + (ProfileOverrides.MAX_FILE_BYTES + 1) + " bytes, over the"
        + " limit of " + ProfileOverrides.MAX_FILE_BYTES + " bytes for GPU profiles",
        assertThrows(BadMessageException.class,
            () -> ProfileOverrides.apply(BUNDLED, "x", huge)).getMessage());
  }
}
