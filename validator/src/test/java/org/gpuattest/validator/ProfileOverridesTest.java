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

  /** The loop's rates at further sizes (docs/soundness.md section 7, "Calibrated timing"). */
  @Test
  void apply_calibratedDims_readAndHeldToTheirRates() throws Exception {
    String entry = profile(NEW, 8, 50.0).replace("}", ", \"canonicalDim\": 4096,"
        + " \"canonicalTflopsByDim\": {\"2048\": 44.5, \"3584\": 49.0}}");
    GpuProfiles.Profile p = apply(file(entry)).find(NEW).orElseThrow();
    assertEquals(List.of(2048, 3584, 4096), List.copyOf(p.calibratedDims()));
    assertEquals(44.5, p.rateAt(2048));
    assertEquals(50.0, p.rateAt(4096));
    assertTrue(p.issuableAt(3584) && !p.issuableAt(2560));
  }

  @Test
  void apply_badCalibratedDims_eachNamedOnOneLine() {
    assertEquals(List.of("p.json: profiles[0] (\"Acme X1\"): canonicalTflopsByDim.2112 must be"
        + " <= fp64TensorTflops (80.0), got 90.0"), problems(file(profile(NEW, 8, 50.0)
        .replace("}", ", \"canonicalTflopsByDim\": {\"2112\": 90.0}}"))));
    assertEquals(List.of("p.json: profiles[0] (\"Acme X1\"): canonicalTflopsByDim key 'big' is"
        + " not a size n (a multiple of 64 in [64, 16384])"), problems(file(profile(NEW, 8, 50.0)
        .replace("}", ", \"canonicalTflopsByDim\": {\"big\": 40.0}}"))));
    assertEquals(List.of("p.json: profiles[0] (\"Acme X1\"): canonicalDim must be in [64, 16384],"
        + " got 32"), problems(file(profile(NEW, 8, 50.0).replace("}", ", \"canonicalDim\": 32}"))));
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
    assertEquals(List.of("p.json: defaults: slack must be in [1, 100], got 0.5"),
        problems("{\"version\": 1, \"defaults\": {\"slack\": 0.5}}"));
    assertEquals(List.of("p.json: defaults: expected an object"),
        problems("{\"version\": 1, \"defaults\": 3}"));
  }

  /**
   * Every figure has a range no real GPU leaves, named in the refusal: a subnormal rate made a
   * window of millions of years and overflowed the challenge's expiry; a slack of 1e300 was
   * accepted.
   */
  @Test
  void apply_figuresOutOfRange_refusedNamingFieldAndRange() {
    assertEquals(List.of("p.json: profiles[0] (\"Acme X1\"): canonicalTflops must be in"
        + " [0.001, 10000] TFLOP/s, got 1.0E-320"), problems(file(profile(NEW, 8, 1e-320))));
    assertEquals(List.of("p.json: profiles[0] (\"Acme X1\"): fp64TensorTflops must be in"
        + " [0.001, 10000] TFLOP/s, got 1.0E300"),
        problems(file(profile(NEW, 8, 1.0).replace("80.0", "1e300"))));
    assertEquals(List.of("p.json: profiles[0] (\"Acme X1\"): memoryGiB must be in [1, 65536],"
        + " got 2147483647"),
        problems(file(profile(NEW, 8, 1.0).replace("96", "2147483647"))));
    assertEquals(List.of("p.json: defaults: slack must be in [1, 100], got 1.0E300"),
        problems("{\"version\": 1, \"defaults\": {\"slack\": 1e300}}"));
    assertEquals(List.of("p.json: defaults: startupSeconds must be in [0, 3600] s, got 1.0E9"),
        problems("{\"version\": 1, \"defaults\": {\"startupSeconds\": 1e9}}"));
    assertEquals(List.of("p.json: defaults: maxRoundTripSeconds must be in [0, 60] s, got 61.0"),
        problems("{\"version\": 1, \"defaults\": {\"maxRoundTripSeconds\": 61}}"));
    assertEquals(List.of("p.json: defaults: perIterationSeconds must be in [0, 1] s, got 2.0"),
        problems("{\"version\": 1, \"defaults\": {\"perIterationSeconds\": 2}}"));
  }

  /**
   * A "new" model that is the table's once case, spaces and invisible characters are ignored
   * would have been added beside it, the operator's rate never used: refused, naming the
   * table's model.
   */
  @Test
  void apply_nearDuplicateOfATableModel_refusedNamingIt() {
    for (String near : List.of(H100 + " ", "nvidia h100 80gb hbm3", "NVIDIA  H100 80GB HBM3",
        "NVIDIA H100\\u200b 80GB HBM3", "\\ufeffNVIDIA H100 80GB HBM3",
        "NVIDIA H100 80GB HBM3\\u00ad", "\\uff2eVIDIA H100 80GB HBM3")) {
      List<String> problems = problems(file(profile(near, 132, 15.5)));
      assertEquals(1, problems.size(), problems::toString);
      assertTrue(problems.get(0).endsWith(": the same model as the table's \"" + H100
          + "\" once case, spaces and invisible characters are ignored; spell it exactly as"
          + " the table does to replace that profile"), problems.get(0));
    }
    assertEquals(List.of("p.json: profiles[0] (\"NVIDIA H100\\u200b 80GB HBM3\"): the same"
        + " model as the table's \"" + H100 + "\" once case, spaces and invisible characters"
        + " are ignored; spell it exactly as the table does to replace that profile"),
        problems(file(profile("NVIDIA H100\\u200b 80GB HBM3", 132, 15.5))),
        "the invisible character is shown");
  }

  @Test
  void apply_nearDuplicateInTheFile_laterEntryRefusedNamingTheFirst() {
    assertEquals(List.of("p.json: profiles[1] (\"ACME X1 \"): the model is also at profiles[0]"
        + " (\"Acme X1\", the same model once case, spaces and invisible characters are"
        + " ignored); name each model once"),
        problems(file(profile(NEW, 8, 1.0), profile("ACME X1 ", 8, 2.0))));
  }

  @Test
  void modelKey_foldsCaseSpacesInvisiblesAndCompatibilityForms() {
    String key = ModelNames.key(H100);
    assertEquals("nvidia h100 80gb hbm3", key);
    for (String same : List.of(" NVIDIA\tH100 80GB HBM3\n", "NVIDIA\u00a0H100 80GB HBM3",
        "NVIDIA H100 80GB HBM3\u200d", "\uff2e\uff36IDIA H100 80GB HBM3",
        "NVIDIA H100 80GB HBM3\ufe0f")) {
      assertEquals(key, ModelNames.key(same), same);
    }
    assertTrue(!key.equals(ModelNames.key("NVIDIA H100 80GB HBM2")));
    assertTrue(!ModelNames.key("NVIDIA H100 PCIe").equals(ModelNames.key("NVIDIA H100PCIe")),
        "a space is not invisible");
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
