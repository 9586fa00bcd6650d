package org.gpuattest.common.message;

import org.gpuattest.common.Limits;

/**
 * One line of a verdict: what was checked, how it came out, the value measured, the bound it
 * was held to, and a sentence a person can act on.
 */
public record Check(String name, String status, String measured, String expected, String message) {
  public static final String PASS = "pass";
  public static final String FAIL = "fail";
  public static final String SKIPPED = "skipped";

  public Check {
    Limits.required("name", name);
    Limits.required("status", status);
    if (!status.equals(PASS) && !status.equals(FAIL) && !status.equals(SKIPPED)) {
      throw new IllegalArgumentException("status must be pass, fail or skipped, got " + status);
    }
    Limits.required("measured", measured);
    Limits.required("expected", expected);
    Limits.required("message", message);
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

  public boolean failed() {
    return status.equals(FAIL);
  }
}
