package org.gpuattest.service.http;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.gpuattest.service.store.AttestationRow;
import org.gpuattest.service.store.Store;

/**
 * The status page (docs/service.md, "Status page"): server-rendered HTML, no script, no
 * front-end build. One row per provider, failing and flagged ones first: its state, last
 * verdict (a link to it), last pass, median TFLOP/s per GPU, and a small SVG plot of its
 * passing attestations' rates over time. Every text from a provider or a file is escaped.
 */
final class StatusPage {
  static final int PLOT_WIDTH = 160;
  static final int PLOT_HEIGHT = 32;

  private StatusPage() {}

  static String render(List<FleetView.ProviderView> providers, List<Store.Rate> rates,
      Instant now) {
    Map<String, List<Store.Rate>> byProvider = new HashMap<>();
    rates.forEach(r -> byProvider.computeIfAbsent(r.provider(), p -> new ArrayList<>()).add(r));
    StringBuilder h = head("gpu-attest: fleet");
    long failing = providers.stream().filter(p -> p.state().equals("failing")).count();
    long flagged = providers.stream().filter(FleetView.ProviderView::flagged).count();
    h.append("<h1>gpu-attest fleet</h1>\n<p id=\"summary\">").append(providers.size())
        .append(" providers; ").append(failing).append(" failing; ").append(flagged)
        .append(" flagged; at ").append(esc(now.toString())).append("</p>\n");
    h.append("<table id=\"providers\">\n<thead><tr><th>provider</th><th>state</th>"
        + "<th>model</th><th>last verdict</th><th>last pass</th><th>TFLOP/s per GPU"
        + " (median)</th><th>failures in a row</th><th>next due</th><th>rate over time</th>"
        + "</tr></thead>\n<tbody>\n");
    for (FleetView.ProviderView p : providers) {
      h.append("<tr class=\"provider ").append(esc(p.state())).append("\" data-provider=\"")
          .append(esc(p.name())).append("\">");
      cell(h, "name", "<a href=\"/providers/" + esc(p.name()) + "\">" + esc(p.name())
          + "</a>");
      cell(h, "state", esc(p.state()) + (p.flagged() ? " (flagged)" : ""));
      cell(h, "model", esc(p.gpus() + " x " + p.model()));
      FleetView.AttestationView last = p.last();
      cell(h, "verdict", last == null ? "none yet" : "<a href=\"/attestations/"
          + esc(last.id()) + "\">" + esc(last.summary() == null ? last.state()
              : last.summary()) + "</a>");
      cell(h, "last-pass", p.lastPassAt() == null ? "never" : esc(p.lastPassAt()));
      cell(h, "median", p.medianTflopsPerGpu() == null ? "-"
          : String.format(Locale.ROOT, "%.3f (of %d)", p.medianTflopsPerGpu(), p.medianOf()));
      cell(h, "failures", Integer.toString(p.failuresInARow()));
      cell(h, "next-due", p.active() ? esc(p.nextDue()) : "-");
      cell(h, "plot", plot(byProvider.getOrDefault(p.name(), List.of())));
      h.append("</tr>\n");
    }
    h.append("</tbody>\n</table>\n<p><a href=\"/api/v1/providers\">JSON</a> ·"
        + " <a href=\"/metrics\">metrics</a> · <a href=\"/api/v1/openapi.json\">API</a></p>\n");
    return h.append("</body>\n</html>\n").toString();
  }

  /** An SVG polyline of the rates, time on x and TFLOP/s per GPU on y from 0. */
  static String plot(List<Store.Rate> rates) {
    if (rates.isEmpty()) {
      return "<svg class=\"plot\" width=\"" + PLOT_WIDTH + "\" height=\"" + PLOT_HEIGHT
          + "\" role=\"img\" aria-label=\"no rates yet\"></svg>";
    }
    long t0 = rates.get(0).finishedAt().toEpochMilli();
    long t1 = rates.get(rates.size() - 1).finishedAt().toEpochMilli();
    double max = rates.stream().mapToDouble(Store.Rate::tflopsPerGpu).max().orElse(1);
    StringBuilder points = new StringBuilder();
    StringBuilder dots = new StringBuilder(); // a lone rate is a dot, not an empty line
    for (Store.Rate r : rates) {
      double x = t1 == t0 ? PLOT_WIDTH / 2.0
          : 2 + (PLOT_WIDTH - 4) * (r.finishedAt().toEpochMilli() - t0) / (double) (t1 - t0);
      double y = PLOT_HEIGHT - 2 - (PLOT_HEIGHT - 4) * (max > 0 ? r.tflopsPerGpu() / max : 0);
      points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      dots.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.5\"/>", x,
          y));
    }
    return "<svg class=\"plot\" width=\"" + PLOT_WIDTH + "\" height=\"" + PLOT_HEIGHT
        + "\" role=\"img\" aria-label=\"" + rates.size() + " passing attestations, up to "
        + String.format(Locale.ROOT, "%.3g", max) + " TFLOP/s per GPU\"><polyline fill=\"none\""
        + " stroke=\"currentColor\" points=\"" + points.toString().strip() + "\"/>"
        + "<g fill=\"currentColor\">" + dots + "</g></svg>";
  }

  /** One provider's page: its state and its latest attestations, each linked to its verdict. */
  static String provider(FleetView.ProviderView p, List<AttestationRow> history) {
    StringBuilder h = head("gpu-attest: " + p.name());
    h.append("<h1>").append(esc(p.name())).append("</h1>\n<p id=\"state\">")
        .append(esc(p.state())).append("; ").append(esc(p.gpus() + " x " + p.model()))
        .append("; ").append(p.passed()).append(" passed, ").append(p.failed())
        .append(" failed, ").append(p.proverFailures()).append(" prover failures</p>\n");
    h.append("<table id=\"attestations\">\n<thead><tr><th>started</th><th>state</th>"
        + "<th>verdict</th><th>TFLOP/s per GPU</th></tr></thead>\n<tbody>\n");
    for (AttestationRow a : history) {
      h.append("<tr>");
      cell(h, "started", esc(String.valueOf(a.startedAt() == null ? a.requestedAt()
          : a.startedAt())));
      cell(h, "state", esc(a.state().name().toLowerCase(Locale.ROOT)));
      cell(h, "verdict", "<a href=\"/attestations/" + esc(a.id()) + "\">"
          + esc(a.summary() == null ? a.id() : a.summary()) + "</a>");
      cell(h, "rate", a.tflopsPerGpu() == null ? "-"
          : String.format(Locale.ROOT, "%.3g", a.tflopsPerGpu()));
      h.append("</tr>\n");
    }
    h.append("</tbody>\n</table>\n<p><a href=\"/\">fleet</a> · <a href=\"/api/v1/providers/")
        .append(esc(p.name())).append("/attestations\">JSON</a></p>\n");
    return h.append("</body>\n</html>\n").toString();
  }

  static String verdict(AttestationRow a, String verdictText) {
    StringBuilder h = head("gpu-attest: attestation " + a.id());
    h.append("<h1>").append(esc(a.provider())).append(": attestation ").append(esc(a.id()))
        .append("</h1>\n<p id=\"state\">").append(esc(a.state().name().toLowerCase(Locale.ROOT)))
        .append(a.summary() == null ? "" : ": " + esc(a.summary())).append("</p>\n");
    if (verdictText != null) {
      h.append("<pre id=\"verdict\">").append(esc(verdictText)).append("</pre>\n");
    } else {
      h.append("<p id=\"verdict\">No verdict is archived for this attestation.</p>\n");
    }
    return h.append("<p><a href=\"/\">fleet</a></p>\n</body>\n</html>\n").toString();
  }

  static String message(String text) {
    return head("gpu-attest").append("<p>").append(esc(text)).append("</p>\n</body>\n</html>\n")
        .toString();
  }

  private static StringBuilder head(String title) {
    return new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<title>").append(esc(title)).append("</title>\n<style>\n"
        + "body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}"
        + "td,th{padding:.25em .6em;border-bottom:1px solid #ddd;text-align:left}"
        + "tr.failing{background:#fde2e2}tr.flagged{background:#fff3cd}"
        + "tr.inactive{color:#888}.plot{color:#1f5fa8}\n</style>\n</head>\n<body>\n");
  }

  private static void cell(StringBuilder h, String kind, String html) {
    h.append("<td class=\"").append(kind).append("\">").append(html).append("</td>");
  }

  /** HTML-escapes text, and drops control characters a prover's text may carry. */
  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> {
          if (c >= 0x20 || c == '\n' || c == '\t') {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
