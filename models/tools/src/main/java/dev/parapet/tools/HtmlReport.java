package dev.parapet.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A self-contained HTML page of an evaluation: the table and one precision-recall curve per
 * category.
 */
final class HtmlReport {

  private HtmlReport() {}

  static void write(
      Path file,
      String model,
      String data,
      String profile,
      int n,
      List<EvalCommand.CategoryResult> results,
      double p50,
      double p99) {
    var html = new StringBuilder();
    html.append(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Parapet eval: ")
        .append(escape(model))
        .append(
            "</title><style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}")
        .append(
            "td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}th:first-child,td:first-child{text-align:left}")
        .append(
            ".curves{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0}figcaption{font-size:90%;text-align:center}")
        .append("</style></head><body>");
    html.append("<h1>Parapet evaluation</h1><p>Model <b>")
        .append(escape(model))
        .append("</b>, data <code>")
        .append(escape(data))
        .append("</code> (")
        .append(n)
        .append(" texts), profile <b>")
        .append(escape(profile))
        .append("</b>. Latency per check: p50 ")
        .append(String.format(Locale.ROOT, "%.2f", p50))
        .append(" ms, p99 ")
        .append(String.format(Locale.ROOT, "%.2f", p99))
        .append(" ms.</p>");
    html.append(
            "<table><tr><th>category</th><th>threshold</th><th>precision</th><th>recall</th><th>F1</th>")
        .append(
            "<th>FPR</th><th>AUPRC</th><th>ROC-AUC</th><th>support</th><th>negatives</th></tr>");
    for (var r : results) {
      html.append("<tr><td>")
          .append(escape(r.category()))
          .append("</td><td>")
          .append(String.format(Locale.ROOT, "%.3f", r.threshold()))
          .append("</td><td>")
          .append(EvalCommand.f(r.precision()))
          .append("</td><td>")
          .append(EvalCommand.f(r.recall()))
          .append("</td><td>")
          .append(EvalCommand.f(r.f1()))
          .append("</td><td>")
          .append(EvalCommand.f(r.fpr()))
          .append("</td><td>")
          .append(EvalCommand.f(r.auprc()))
          .append("</td><td>")
          .append(EvalCommand.f(r.rocAuc()))
          .append("</td><td>")
          .append(r.support())
          .append("</td><td>")
          .append(r.negatives())
          .append("</td></tr>");
    }
    html.append("</table><h2>Precision-recall curves</h2><div class=\"curves\">");
    for (var r : results) {
      html.append("<figure>")
          .append(svg(r))
          .append("<figcaption>")
          .append(escape(r.category()))
          .append(" (AUPRC ")
          .append(EvalCommand.f(r.auprc()))
          .append(")</figcaption></figure>");
    }
    html.append("</div></body></html>\n");
    try {
      Files.writeString(file, html);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static String svg(EvalCommand.CategoryResult r) {
    int size = 220;
    int pad = 30;
    double span = size - 2.0 * pad;
    var svg = new StringBuilder();
    svg.append("<svg width=\"")
        .append(size)
        .append("\" height=\"")
        .append(size)
        .append("\" role=\"img\" aria-label=\"precision-recall curve\">")
        .append("<rect x=\"")
        .append(pad)
        .append("\" y=\"")
        .append(pad)
        .append("\" width=\"")
        .append((int) span)
        .append("\" height=\"")
        .append((int) span)
        .append("\" fill=\"none\" stroke=\"#999\"/>")
        .append("<text x=\"")
        .append(size / 2)
        .append("\" y=\"")
        .append(size - 6)
        .append("\" font-size=\"11\" text-anchor=\"middle\">recall</text>")
        .append("<text x=\"10\" y=\"")
        .append(size / 2)
        .append("\" font-size=\"11\" transform=\"rotate(-90 10 ")
        .append(size / 2)
        .append(")\" text-anchor=\"middle\">precision</text>");
    if (!r.curve().isEmpty()) {
      svg.append("<polyline fill=\"none\" stroke=\"#1f6feb\" stroke-width=\"2\" points=\"");
      svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", pad + 0.0, pad + 0.0));
      for (var point : r.curve()) {
        svg.append(
            String.format(
                Locale.ROOT,
                "%.1f,%.1f ",
                pad + point.recall() * span,
                pad + (1 - point.precision()) * span));
      }
      svg.append("\"/>");
    }
    svg.append("</svg>");
    return svg.toString();
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
