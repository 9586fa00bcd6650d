package org.gpuattest.common.message;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.gpuattest.common.Limits;

/**
 * One line of a verdict: what was checked, how it came out, the value measured, the bound it
 * was held to, and a sentence a person can act on. A check may also carry {@code figures}:
 * named numbers a program can read without parsing the sentence (timing.window's proven
 * throughput, sm.busy's busy fraction and its bound, ...: docs/protocol.md section 8.3); absent
 * (null) for checks that measure no number.
 */
public record Check(String name, String status, String measured, String expected, String message,
    Map<String, Double> figures) {
  public static final String PASS = "pass";
  public static final String FAIL = "fail";
  public static final String SKIPPED = "skipped";
  /** Figures per check: a handful are meant; the cap keeps a hostile verdict small. */
  public static final int MAX_FIGURES = 32;

  public Check {
    Limits.required("name", name);
    Limits.required("status", status);
    if (!status.equals(PASS) && !status.equals(FAIL) && !status.equals(SKIPPED)) {
      throw new IllegalArgumentException("status must be pass, fail or skipped, got " + status);
    }
    Limits.required("measured", measured);
    Limits.required("expected", expected);
    Limits.required("message", message);
    if (figures != null) {
      figures = checkedFigures(figures);
    }
  }

  /** A check without figures. */
  public Check(String name, String status, String measured, String expected, String message) {
    this(name, status, measured, expected, message, null);
  }

  public static Check pass(String name, String measured, String expected, String message) {
    return new Check(name, PASS, measured, expected, message);
  }

  public static Check fail(String name, String measured, String expected, String message) {
    return new Check(name, FAIL, measured, expected, message);
  }

  public static Check skipped(String name, String reason) {
    return new Check(name, SKIPPED, "-", "-", "skipped: " + reason);
  }

  /** This check with {@code figures} attached (insertion order is kept in JSON). */
  public Check withFigures(Map<String, Double> figures) {
    return new Check(name, status, measured, expected, message, figures);
  }

  public boolean failed() {
    return status.equals(FAIL);
  }

  /** Names are plain identifiers and values finite numbers: JSON has no NaN or infinity. */
  private static Map<String, Double> checkedFigures(Map<String, Double> figures) {
    if (figures.size() > MAX_FIGURES) {
      throw new IllegalArgumentException("figures: at most " + MAX_FIGURES + ", got "
          + figures.size());
    }
    Map<String, Double> copy = new LinkedHashMap<>();
    for (Map.Entry<String, Double> f : figures.entrySet()) {
      String key = f.getKey();
      if (key == null || !key.matches("[a-zA-Z][a-zA-Z0-9]{0,63}")) {
        throw new IllegalArgumentException("figures: a name must be letters and digits,"
            + " starting with a letter, at most 64");
      }
      Double v = f.getValue();
      if (v == null || !Double.isFinite(v)) {
        throw new IllegalArgumentException("figures." + key + " must be a finite number");
      }
      copy.put(key, v);
    }
    return Collections.unmodifiableMap(copy);
  }
}
