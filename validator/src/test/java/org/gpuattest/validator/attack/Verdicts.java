package org.gpuattest.validator.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;

/** Assertions on verdicts: which checks failed, exactly, and what they said. */
public final class Verdicts {
  /** Every check the Verifier runs, in its order. */
  public static final List<String> ALL_CHECKS = List.of(
      "challenge.binding", "challenge.expiry", "challenge.replay",
      "signature.challenge", "signature.prover",
      "devices.backend", "devices.count", "devices.distinct", "devices.roots-distinct",
      "devices.model", "devices.sm-count",
      "sm.coverage", "sm.balance", "sm.busy",
      "timing.window", "timing.kernel", "timing.barriers",
      "openings.complete", "openings.exact");

  private Verdicts() {}

  public static Set<String> failed(Verdict v) {
    return v.checks().stream().filter(Check::failed).map(Check::name)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  public static void assertListsAllChecks(Verdict v) {
    assertEquals(ALL_CHECKS, v.checks().stream().map(Check::name).toList(),
        "the verdict lists every check once, in order");
  }

  public static void assertPasses(Verdict v) {
    assertListsAllChecks(v);
    assertEquals(Set.of(), failed(v), () -> describe(v));
    assertTrue(v.passed());
    assertEquals(Verdict.PASS, v.result());
  }

  /**
   * The verdict fails, exactly the named checks fail, and the first named check's message
   * contains {@code fragment}.
   */
  public static void assertFailsOnly(Verdict v, String fragment, String... checks) {
    assertListsAllChecks(v);
    assertFalse(v.passed(), () -> describe(v));
    assertEquals(Verdict.FAIL, v.result());
    assertEquals(new TreeSet<>(List.of(checks)), failed(v), () -> describe(v));
    assertMessage(v, checks[0], fragment);
  }

  public static void assertMessage(Verdict v, String check, String fragment) {
    Check c = v.check(check);
    assertTrue(c.message().contains(fragment),
        () -> check + " should mention '" + fragment + "': " + c);
  }

  public static String describe(Verdict v) {
    StringBuilder sb = new StringBuilder("verdict " + v.result() + ":");
    for (Check c : v.checks()) {
      sb.append("\n  ").append(c.status()).append(' ').append(c.name()).append(": ")
          .append(c.measured()).append(" / ").append(c.expected()).append(" - ")
          .append(c.message());
    }
    return sb.toString();
  }
}
