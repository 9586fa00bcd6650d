package org.gpuattest.validator.archive;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.gpuattest.common.message.Check;
import org.gpuattest.common.message.Verdict;
import org.gpuattest.common.util.Printable;

/**
 * Where a recorded verdict and the one made again disagree, one line each: the result, then
 * each check that differs, by name. Text from verdict.json is escaped ({@link Printable}): an
 * altered file must not be able to write lines of its own.
 */
final class VerdictDifferences {
  private VerdictDifferences() {}

  /** Empty exactly when the two verdicts are equal. */
  static List<String> between(Verdict recorded, Verdict now) {
    List<String> out = new ArrayList<>();
    if (recorded.attestation() != null && recorded.attestation().rowsRequested() == null
        && now.attestation() != null) {
      // Recorded before attestation.rowsRequested existed (docs/protocol.md 4.5): not a
      // difference in what was judged.
      now = new Verdict(now.version(), now.result(), now.challengeId(),
          now.attestation().withRowsRequested(null), now.checks());
    }
    if (recorded.equals(now)) {
      return out;
    }
    if (!recorded.result().equals(now.result())) {
      out.add("result: recorded " + Printable.escape(recorded.result()) + ", now "
          + now.result());
    }
    for (String name : names(now, recorded)) {
      Check r = find(recorded, name);
      Check n = find(now, name);
      String shown = Printable.escape(name);
      if (r == null) {
        out.add("check " + shown + ": not in the recorded verdict; now " + describe(n));
      } else if (n == null) {
        out.add("check " + shown + ": recorded " + describe(r) + "; not made now");
      } else if (!r.equals(n)) {
        out.add("check " + shown + ": recorded " + describe(r) + "; now " + describe(n));
      }
    }
    if (out.isEmpty()) {
      out.add("verdict.json differs from the verdict made now outside its checks");
    }
    return out;
  }

  private static String describe(Check c) {
    return Printable.escape(c.status()) + " (measured " + Printable.escape(c.measured()) + ")";
  }

  private static Check find(Verdict v, String name) {
    return v.checks().stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
  }

  /** The names of the checks in either verdict, the first verdict's order first. */
  private static Set<String> names(Verdict a, Verdict b) {
    Set<String> names = new LinkedHashSet<>();
    a.checks().stream().map(Check::name).forEach(names::add);
    b.checks().stream().map(Check::name).forEach(names::add);
    return names;
  }
}
