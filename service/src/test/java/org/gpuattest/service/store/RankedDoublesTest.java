package org.gpuattest.service.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.gpuattest.validator.fleet.FleetReport;
import org.junit.jupiter.api.Test;

/**
 * {@link RankedDoubles} against the obvious model, a sorted list, over seeded random adds and
 * removes (duplicates, values absent, -0.0 and 0.0, emptied and filled again): every rank and the
 * median as {@link FleetReport#median} takes it, with every failure collected.
 */
class RankedDoublesTest {
  @Test
  void addRemoveGet_randomOperations_asASortedList() {
    SplittableRandom random = new SplittableRandom(2026);
    RankedDoubles ranked = new RankedDoubles();
    List<Double> model = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    double[] few = {-0.0, 0.0, 1.5, 40.0, 50.0, 50.0, 52.25};
    for (int step = 0; step < 20_000 && failures.size() < 10; step++) {
      double x = random.nextInt(3) == 0 ? few[random.nextInt(few.length)]
          : Math.round(random.nextDouble(0, 100) * 8) / 8.0;
      // More adds than removes at first, then the other way, so it empties again.
      boolean add = random.nextInt(100) < (step < 10_000 ? 65 : 30);
      if (add) {
        ranked.add(x);
        model.add(x);
        Collections.sort(model);
      } else {
        boolean had = model.remove((Double) x);
        if (ranked.remove(x) != had) {
          failures.add("step " + step + ": remove(" + x + ") answered " + !had);
        }
      }
      if (ranked.size() != model.size()) {
        failures.add("step " + step + ": size " + ranked.size() + ", expected " + model.size());
        continue;
      }
      if (step % 97 == 0) {
        for (int k = 0; k < model.size(); k++) {
          if (Double.compare(ranked.get(k), model.get(k)) != 0) {
            failures.add("step " + step + ": rank " + k + " is " + ranked.get(k) + ", expected "
                + model.get(k));
            break;
          }
        }
      }
      if (!java.util.Objects.equals(ranked.median(), FleetReport.median(model))) {
        failures.add("step " + step + ": median " + ranked.median() + ", expected "
            + FleetReport.median(model));
      }
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void get_outOfRange_refused() {
    RankedDoubles ranked = new RankedDoubles();
    assertEquals(null, ranked.median());
    assertFalse(ranked.remove(1.0));
    ranked.add(1.0);
    assertThrows(IndexOutOfBoundsException.class, () -> ranked.get(1));
    assertThrows(IndexOutOfBoundsException.class, () -> ranked.get(-1));
  }
}
