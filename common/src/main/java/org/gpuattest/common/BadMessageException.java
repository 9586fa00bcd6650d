package org.gpuattest.common;

import java.util.ArrayList;
import java.util.List;

/**
 * A message from the other party (or a file the user named) could not be accepted: bad base64,
 * bad JSON, an unknown version, or a field out of range. The message is one line that names
 * the field; CLIs print it and exit 2.
 *
 * <p>A file of independent entries (an operator's GPU profiles) may have several problems at
 * once; they are all reported together, one line each ({@link #problems()}), so one run names
 * every entry to fix. {@link #getMessage()} is then those lines joined with "; ".
 */
public class BadMessageException extends Exception {
  /** Problems {@link #listing} lists at most; the rest are counted. */
  public static final int MAX_LISTED = 50;
  private final List<String> problems;

  public BadMessageException(String message) {
    super(message);
    this.problems = List.of(message == null ? "" : message);
  }

  /** Several problems, each one line; at least one. */
  public BadMessageException(List<String> problems) {
    super(String.join("; ", problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a BadMessageException needs a problem");
    }
    this.problems = List.copyOf(problems);
  }

  /**
   * Several problems of an operator's file, at most {@link #MAX_LISTED} of them listed and the
   * rest counted in a last line ("... and N more problems"), so that a file of thousands of bad
   * entries is refused in a screenful.
   */
  public static BadMessageException listing(List<String> problems) {
    if (problems.size() <= MAX_LISTED) {
      return new BadMessageException(problems);
    }
    List<String> shown = new ArrayList<>(problems.subList(0, MAX_LISTED));
    shown.add("... and " + (problems.size() - MAX_LISTED) + " more problems");
    return new BadMessageException(shown);
  }

  /** Each problem as one line: the message itself unless several were found together. */
  public List<String> problems() {
    return problems;
  }
}
