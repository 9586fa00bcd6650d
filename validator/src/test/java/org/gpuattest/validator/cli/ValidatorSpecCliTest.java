package org.gpuattest.validator.cli;

import static org.gpuattest.validator.cli.ValidatorCliHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.gpuattest.common.spec.PhiloxKey;
import org.gpuattest.common.spec.Reference;
import org.gpuattest.common.util.Hex;
import org.gpuattest.validator.cli.ValidatorCliHarness.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code validator spec}: Philox4x32-10 known answers and the roots of canonical-v1 as the
 * common module's {@link Reference} computes them, and bad options refused with exit 2.
 */
class ValidatorSpecCliTest {
  static final String SEED = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

  /**
   * Known answers of Salmon et al., "Parallel random numbers: as easy as 1, 2, 3" (SC 2011),
   * from the Random123 distribution's tests/kat_vectors file, lines "philox4x32 10".
   */
  @ParameterizedTest(name = "key {0} counter {1}")
  @CsvSource(delimiter = ';', value = {
      "0,0; 0,0,0,0; 6627e8d5 e169c58d bc57ac4c 9b00dbd8",
      "ffffffff,ffffffff; ffffffff,ffffffff,ffffffff,ffffffff; 408f276d 41c83b0e a20bc7c6 6d5451fd",
      "a4093822,299f31d0; 243f6a88,85a308d3,13198a2e,03707344; d16cfe09 94fdcceb 5001e420 24126ea1"})
  void philox_knownAnswer_printsOneLine(String key, String counter, String expected) {
    Result r = run("spec", "philox", "--philox-key", key, "--counter", counter).assertOk();
    assertEquals(expected + "\n", r.out());
    assertEquals("", r.err());
  }

  @Test
  void philox_badKeyWord_exit2NamingKey() {
    run("spec", "philox", "--philox-key", "0,zz", "--counter", "0,0,0,0").assertBadInput("--philox-key");
    run("spec", "philox", "--philox-key", "0,123456789", "--counter", "0,0,0,0").assertBadInput("--philox-key");
    run("spec", "philox", "--philox-key", "0", "--counter", "0,0,0,0").assertBadInput("--philox-key");
  }

  /** Each option is one value of comma-separated words, given once: the help says just that. */
  @Test
  void philox_help_showsEachOptionAsOneValueGivenOnce() {
    Result r = run("spec", "philox", "--help").assertOk();
    assertTrue(r.out().startsWith("Usage: validator spec philox [-hV] [--debug]"
        + " --counter=C0,C1,C2,C3\n                             --philox-key=K0,K1\n"),
        r.describe());
    assertFalse(r.out().contains("..."), r.describe());
    run("spec", "philox", "--philox-key", "0,0", "--philox-key", "1,1", "--counter", "0,0,0,0")
        .assertBadInput("--philox-key");
    run("spec", "philox", "--philox-key", "0,0", "--counter", "0,0,0,0,")
        .assertBadInput("--counter 4, got 2 and 5");
  }

  @Test
  void philox_badCounterWord_exit2NamingCounter() {
    run("spec", "philox", "--philox-key", "0,0", "--counter", "0,0,0,g").assertBadInput("--counter");
    run("spec", "philox", "--philox-key", "0,0", "--counter", "0,0,0").assertBadInput("--counter");
  }

  @Test
  void roots_smallJob_matchesReference() {
    Result r = run("spec", "roots", "--seed", SEED, "--dim", "64", "--gpus", "2",
        "--iterations", "2").assertOk();
    PhiloxKey k = PhiloxKey.fromSeed(Hex.decode("seed", SEED, 32));
    StringBuilder expected = new StringBuilder();
    for (int g = 0; g < 2; g++) {
      expected.append(g).append(' ')
          .append(Hex.encode(Reference.deviceRoot(Reference.matrixRoots(k, g, 64, 2))))
          .append('\n');
    }
    assertEquals(expected.toString(), r.out());
    assertEquals(2, r.out().lines().count());
    r.out().lines().forEach(l -> assertEquals(true, l.matches("[01] [0-9a-f]{64}"), l));
  }

  @Test
  void matrix_smallJob_matchesReference() {
    Result r = run("spec", "matrix", "--seed", SEED, "--dim", "64", "--gpu", "1",
        "--iteration", "1").assertOk();
    PhiloxKey k = PhiloxKey.fromSeed(Hex.decode("seed", SEED, 32));
    assertEquals(Hex.encode(Reference.matrixRoots(k, 1, 64, 2)[1]) + "\n", r.out());
  }

  @ParameterizedTest(name = "--dim {0}")
  @CsvSource({"100", "0", "-64", "16448", "1000000000"})
  void roots_badDim_exit2NamingDim(String dim) {
    run("spec", "roots", "--seed", SEED, "--dim", dim, "--gpus", "1", "--iterations", "1")
        .assertBadInput("--dim");
    run("spec", "matrix", "--seed", SEED, "--dim", dim, "--gpu", "0", "--iteration", "0")
        .assertBadInput("--dim");
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"--gpus, 0", "--gpus, 65", "--iterations, 0", "--iterations, 1048577"})
  void roots_badCounts_exit2NamingOption(String option, String value) {
    String devices = option.equals("--gpus") ? value : "1";
    String iterations = option.equals("--iterations") ? value : "1";
    run("spec", "roots", "--seed", SEED, "--dim", "64", "--gpus", devices,
        "--iterations", iterations).assertBadInput(option);
  }

  @Test
  void matrix_badIndices_exit2NamingOption() {
    run("spec", "matrix", "--seed", SEED, "--dim", "64", "--gpu", "64", "--iteration", "0")
        .assertBadInput("--gpu");
    run("spec", "matrix", "--seed", SEED, "--dim", "64", "--gpu", "0", "--iteration", "-1")
        .assertBadInput("--iteration");
  }

  @Test
  void roots_badSeed_exit2NamingSeed() {
    run("spec", "roots", "--seed", "abcd", "--dim", "64", "--gpus", "1", "--iterations", "1")
        .assertBadInput("--seed");
    run("spec", "roots", "--seed", "z".repeat(64), "--dim", "64", "--gpus", "1",
        "--iterations", "1").assertBadInput("--seed");
  }

  /** n = 16384 needs 6 GiB for A, B and C; the tests' JVM has 2 GiB: refused, not an OOM. */
  @Test
  void matrix_sizeOverTheHeap_exit3BeforeAllocating() {
    org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.getRuntime().maxMemory() < (6L << 30),
        "this JVM's heap could hold n = 16384");
    Result r = run("spec", "matrix", "--seed", SEED, "--dim", "16384", "--gpu", "0",
        "--iteration", "0");
    assertEquals(3, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    org.junit.jupiter.api.Assertions.assertTrue(r.err().contains("n=16384 needs 6144 MiB"),
        r.err());
  }
}
