package org.gpuattest.validator.fleet;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.gpuattest.common.util.Counts;
import org.gpuattest.common.util.Printable;

/**
 * The fleet report as a person reads it: one aligned row per provider and model, the model
 * medians they are held to, and a summary line, each line ended by {@code \n}. Labels and
 * models come from archive files, so each goes through {@link Printable#escape}.
 */
public final class FleetText {
  private static final String[] HEADER = {"PROVIDER", "MODEL", "PASSED", "FAILED",
      "TFLOP/S/GPU", "MEDIAN OF", "VS MODEL", "MEMORY TB/S", ""};
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss",
      Locale.ROOT);
  /** Columns aligned right: the numbers. */
  private static final boolean[] RIGHT = {false, false, true, true, true, true, true, true,
      false};

  private FleetText() {}

  public static String format(FleetReport r) {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    for (FleetReport.ProviderRow p : r.providers()) {
      rows.add(new String[] {provider(p), Printable.escape(p.model()),
          String.valueOf(p.passed()), String.valueOf(p.failed()), rate(p.medianTflopsPerGpu()),
          String.valueOf(p.medianOf()), vs(p.vsModelMedian()), rate(p.medianMemoryTBps()),
          p.flagged() ? "FLAGGED" : ""});
    }
    StringBuilder sb = new StringBuilder();
    table(rows, sb);
    if (!r.models().isEmpty()) {
      sb.append("\nModel medians (passing cuda attestations of every provider):\n");
      for (FleetReport.ModelRow m : r.models()) {
        sb.append(String.format(Locale.ROOT, "  %s: %s TFLOP/s per GPU, median of %d (%s;"
            + " %d passed, %d failed)%s\n", Printable.escape(m.model()),
            rate(m.medianTflopsPerGpu()), m.medianOf(), Counts.count(m.providers(), "provider"),
            m.passed(), m.failed(), m.medianMemoryTBps() == null ? ""
                : "; memory " + rate(m.medianMemoryTBps()) + " TB/s"));
      }
    }
    sb.append(String.format(Locale.ROOT, "\nfleet: %s%s%s; %s flagged (median more than %d%%"
        + " below its model's); %s skipped\n", Counts.count(r.attestations(), "attestation"),
        r.since() == null ? "" : " verified since " + since(r.since()),
        r.unsigned() == 0 ? "" : " (" + r.unsigned() + " of them unsigned, counted with"
            + " --allow-unsigned)",
        Counts.count(r.flagged(), "provider"), Math.round((1 - r.flagBelow()) * 100),
        Counts.count(r.skipped(), "entry", "entries")));
    return sb.toString();
  }

  /**
   * "acme (key 0123456789abcdef)" for a label, "key 0123456789abcdef" for a key id alone,
   * "(unknown)" for neither: a label has no space or parenthesis, so none reads as another.
   */
  static String provider(FleetReport.ProviderRow p) {
    if (FleetEntry.BY_KEY.equals(p.by())) {
      return "key " + Printable.escape(p.provider());
    }
    if (p.label() == null) {
      return "(" + FleetEntry.UNKNOWN + ")";
    }
    List<String> keys = p.proverKeyIds();
    String label = Printable.escape(p.label());
    return switch (keys.size()) {
      case 0 -> label;
      case 1 -> label + " (key " + keys.get(0) + ")";
      case 2 -> label + " (keys " + keys.get(0) + ", " + keys.get(1) + ")";
      default -> label + " (" + keys.size() + " keys)";
    };
  }

  /**
   * When the report starts, as a person reads it: "2030-03-02" for a day's start (--since),
   * "2026-01-14 09:41:27 UTC" otherwise (--days, counted back from now), never an instant's
   * nanoseconds; a value that is no instant, escaped as it is.
   */
  static String since(String iso) {
    Instant at;
    try {
      at = Instant.parse(iso);
    } catch (DateTimeParseException e) {
      return Printable.escape(iso);
    }
    LocalDateTime t = LocalDateTime.ofInstant(at.truncatedTo(ChronoUnit.SECONDS), ZoneOffset.UTC);
    return t.toLocalTime().equals(LocalTime.MIDNIGHT) ? t.toLocalDate().toString()
        : t.toLocalDate() + " " + t.format(CLOCK) + " UTC";
  }

  /** Three significant digits: 52.1, 9.87, 0.0874; "-" without a rate. */
  static String rate(Double tflops) {
    if (tflops == null) {
      return "-";
    }
    if (tflops >= 100) {
      return String.format(Locale.ROOT, "%.0f", tflops);
    }
    return String.format(Locale.ROOT, "%.3g", tflops).replaceFirst("e([+-])0?", "e$1");
  }

  /** "-11.0%": how far the provider's median is from its model's; "-" when not compared. */
  static String vs(Double ratio) {
    return ratio == null ? "-" : String.format(Locale.ROOT, "%+.1f%%", (ratio - 1) * 100);
  }

  private static void table(List<String[]> rows, StringBuilder sb) {
    int[] width = new int[HEADER.length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        if (i > 0) {
          line.append("  ");
        }
        String cell = row[i];
        String pad = " ".repeat(width[i] - cell.length());
        line.append(RIGHT[i] ? pad + cell : cell + pad);
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
  }
}
