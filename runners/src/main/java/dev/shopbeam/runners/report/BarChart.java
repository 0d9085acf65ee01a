package dev.shopbeam.runners.report;

import static dev.shopbeam.runners.report.Html.esc;
import static dev.shopbeam.runners.report.Html.n;

import java.util.ArrayList;
import java.util.List;

/**
 * A horizontal bar chart as inline SVG: one labelled bar per row (long labels cut, in full in the
 * tooltip), the value at the bar's end, a value axis with ticks from zero below.
 */
final class BarChart {
  static final int WIDTH = 1000;
  private static final int LABEL_WIDTH = 230;
  private static final int RIGHT = 110;
  private static final int TOP = 10;
  private static final int ROW = 26;
  private static final int AXIS = 34;
  private static final int LABEL_CHARS = 32;

  record Bar(String label, double value, String valueText, String tooltip) {}

  private final String id;
  private final String title;
  private final String color;
  private final List<Bar> bars = new ArrayList<>();

  BarChart(String id, String title, String color) {
    this.id = id;
    this.title = title;
    this.color = color;
  }

  BarChart add(Bar bar) {
    bars.add(bar);
    return this;
  }

  String svg() {
    double max = bars.stream().mapToDouble(Bar::value).max().orElse(0);
    Ticks t = Ticks.upTo(max);
    double plotW = WIDTH - LABEL_WIDTH - RIGHT;
    int height = TOP + ROW * bars.size() + AXIS;
    double axisY = TOP + ROW * bars.size();
    StringBuilder b = new StringBuilder(4096);
    b.append("<svg class=\"chart bar-chart\" data-chart=\"").append(esc(id)).append("\" width=\"").append(WIDTH)
        .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
        .append("\" role=\"img\" aria-label=\"").append(esc(title)).append("\">\n");
    b.append("<title>").append(esc(title)).append("</title>\n");
    b.append("<g class=\"x-axis\">");
    for (double v : t.values()) {
      double px = LABEL_WIDTH + v / t.top() * plotW;
      b.append("<line class=\"grid\" x1=\"").append(n(px)).append("\" x2=\"").append(n(px)).append("\" y1=\"")
          .append(TOP).append("\" y2=\"").append(n(axisY)).append("\"/>");
      b.append("<text class=\"tick\" x=\"").append(n(px)).append("\" y=\"").append(n(axisY + 18))
          .append("\" text-anchor=\"middle\">").append(esc(Html.compact(v))).append("</text>");
    }
    b.append("<line class=\"axis\" x1=\"").append(LABEL_WIDTH).append("\" x2=\"").append(LABEL_WIDTH)
        .append("\" y1=\"").append(TOP).append("\" y2=\"").append(n(axisY)).append("\"/>");
    b.append("</g>\n");
    for (int i = 0; i < bars.size(); i++) {
      Bar bar = bars.get(i);
      double y = TOP + i * ROW;
      double w = bar.value() / t.top() * plotW;
      b.append("<g class=\"bar\"><title>").append(esc(bar.tooltip())).append("</title>");
      b.append("<text class=\"bar-label\" x=\"").append(LABEL_WIDTH - 8).append("\" y=\"").append(n(y + 17))
          .append("\" text-anchor=\"end\">").append(esc(Html.cut(bar.label(), LABEL_CHARS))).append("</text>");
      b.append("<rect class=\"bar\" fill=\"").append(color).append("\" x=\"").append(LABEL_WIDTH).append("\" y=\"")
          .append(n(y + 4)).append("\" width=\"").append(n(Math.max(w, bar.value() > 0 ? 1 : 0)))
          .append("\" height=\"").append(ROW - 8).append("\"/>");
      b.append("<text class=\"bar-value\" x=\"").append(n(LABEL_WIDTH + w + 6)).append("\" y=\"").append(n(y + 17))
          .append("\">").append(esc(bar.valueText())).append("</text></g>\n");
    }
    b.append("</svg>");
    return b.toString();
  }

  boolean isEmpty() {
    return bars.isEmpty();
  }
}
