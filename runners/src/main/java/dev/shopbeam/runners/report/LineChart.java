package dev.shopbeam.runners.report;

import static dev.shopbeam.runners.report.Html.esc;
import static dev.shopbeam.runners.report.Html.n;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * A time-series chart as inline SVG: one polyline (optionally filled to the axis) per series over
 * contiguous buckets, a point per value with its exact figure as a tooltip ({@code <title>}), y grid
 * and ticks from zero, thinned x tick labels, a legend, and marked buckets (anomalies) drawn as a
 * shaded band with a ring on the series they concern.
 */
final class LineChart {
  static final int WIDTH = 1000;
  private static final int LEFT = 72;
  private static final int RIGHT = 24;
  private static final int TOP = 40;
  private static final int BOTTOM = 56;
  private static final int HEIGHT = 320;
  /** About 90 px per x label. */
  static final int MAX_TICK_LABELS = (WIDTH - LEFT - RIGHT) / 90;

  record Series(String name, String color, double[] values, boolean area) {}

  /** A marked bucket; {@code series} is the index of the series it concerns, or -1 for the whole bucket. */
  record Marker(int bucket, int series, String tooltip) {}

  private final String id;
  private final String title;
  private final String yTitle;
  private final List<String> tickLabels;
  private final List<String> bucketLabels;
  private final DoubleFunction<String> format;
  private final List<Series> series = new ArrayList<>();
  private final List<Marker> markers = new ArrayList<>();

  /**
   * @param tickLabels short label of each bucket for the x axis, empty for none (may hold a '\n' for a
   *     second line); at most about {@link #MAX_TICK_LABELS} of them fit without overlapping
   * @param bucketLabels full label of each bucket, for tooltips
   */
  LineChart(String id, String title, String yTitle, List<String> tickLabels, List<String> bucketLabels,
      DoubleFunction<String> format) {
    this.id = id;
    this.title = title;
    this.yTitle = yTitle;
    this.tickLabels = tickLabels;
    this.bucketLabels = bucketLabels;
    this.format = format;
  }

  LineChart add(Series s) {
    if (s.values().length != bucketLabels.size()) {
      throw new IllegalArgumentException("series " + s.name() + " has " + s.values().length + " values for "
          + bucketLabels.size() + " buckets");
    }
    series.add(s);
    return this;
  }

  LineChart mark(Marker m) {
    markers.add(m);
    return this;
  }

  String svg() {
    int n = bucketLabels.size();
    double max = 0;
    for (Series s : series) {
      for (double v : s.values()) {
        max = Math.max(max, v);
      }
    }
    Ticks y = Ticks.upTo(max);
    double plotW = WIDTH - LEFT - RIGHT;
    double plotH = HEIGHT - TOP - BOTTOM;
    double step = n > 1 ? plotW / (n - 1) : 0;
    DoubleFunction<Double> xOf = i -> n > 1 ? LEFT + i * step : LEFT + plotW / 2;
    DoubleFunction<Double> yOf = v -> TOP + plotH - v / y.top() * plotH;

    StringBuilder b = new StringBuilder(8192);
    b.append("<svg class=\"chart line-chart\" data-chart=\"").append(esc(id)).append("\" width=\"").append(WIDTH)
        .append("\" height=\"").append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
        .append("\" role=\"img\" aria-label=\"").append(esc(title)).append("\">\n");
    b.append("<title>").append(esc(title)).append("</title>\n");
    // y grid and tick labels
    b.append("<g class=\"y-axis\">");
    for (double t : y.values()) {
      double py = yOf.apply(t);
      b.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT)
          .append("\" y1=\"").append(n(py)).append("\" y2=\"").append(n(py)).append("\"/>");
      b.append("<text class=\"tick\" x=\"").append(LEFT - 8).append("\" y=\"").append(n(py + 4))
          .append("\" text-anchor=\"end\">").append(esc(Html.compact(t))).append("</text>");
    }
    b.append("<text class=\"axis-title\" transform=\"translate(16 ").append(n(TOP + plotH / 2))
        .append(") rotate(-90)\" text-anchor=\"middle\">").append(esc(yTitle)).append("</text>");
    b.append("</g>\n");
    // x axis: a tick and label where the caller gave one (it thins them to round times, ~90 px apart)
    b.append("<g class=\"x-axis\"><line class=\"axis\" x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT)
        .append("\" y1=\"").append(n(TOP + plotH)).append("\" y2=\"").append(n(TOP + plotH)).append("\"/>");
    for (int i = 0; i < n; i++) {
      if (tickLabels.get(i).isEmpty()) {
        continue;
      }
      double px = xOf.apply(i);
      b.append("<line class=\"axis\" x1=\"").append(n(px)).append("\" x2=\"").append(n(px)).append("\" y1=\"")
          .append(n(TOP + plotH)).append("\" y2=\"").append(n(TOP + plotH + 5)).append("\"/>");
      String[] lines = tickLabels.get(i).split("\n", 2);
      b.append("<text class=\"tick\" x=\"").append(n(px)).append("\" y=\"").append(n(TOP + plotH + 19))
          .append("\" text-anchor=\"middle\">").append(esc(lines[0]));
      if (lines.length > 1) {
        b.append("<tspan x=\"").append(n(px)).append("\" dy=\"14\">").append(esc(lines[1])).append("</tspan>");
      }
      b.append("</text>");
    }
    b.append("</g>\n");
    // marked buckets first, under the lines
    if (!markers.isEmpty()) {
      b.append("<g class=\"anomalies\">");
      double band = Math.max(step, 8);
      for (Marker m : markers) {
        double px = xOf.apply(m.bucket());
        b.append("<rect class=\"anomaly-band\" x=\"").append(n(Math.max(LEFT, px - band / 2))).append("\" y=\"")
            .append(TOP).append("\" width=\"").append(n(band)).append("\" height=\"").append(n(plotH))
            .append("\"><title>").append(esc(m.tooltip())).append("</title></rect>");
      }
      b.append("</g>\n");
    }
    for (Series s : series) {
      StringBuilder pts = new StringBuilder();
      for (int i = 0; i < n; i++) {
        pts.append(i == 0 ? "" : " ").append(n(xOf.apply(i))).append(',').append(n(yOf.apply(s.values()[i])));
      }
      b.append("<g class=\"series\" data-series=\"").append(esc(s.name())).append("\">");
      if (s.area()) {
        b.append("<polygon class=\"area\" fill=\"").append(s.color()).append("\" points=\"")
            .append(n(xOf.apply(0))).append(',').append(n(yOf.apply(0))).append(' ').append(pts).append(' ')
            .append(n(xOf.apply(n - 1))).append(',').append(n(yOf.apply(0))).append("\"/>");
      }
      b.append("<polyline class=\"line\" stroke=\"").append(s.color()).append("\" points=\"").append(pts)
          .append("\"/>");
      for (int i = 0; i < n; i++) {
        b.append("<circle class=\"point\" fill=\"").append(s.color()).append("\" cx=\"").append(n(xOf.apply(i)))
            .append("\" cy=\"").append(n(yOf.apply(s.values()[i]))).append("\" r=\"").append(n > 60 ? "2" : "3")
            .append("\"><title>").append(esc(s.name() + ", " + bucketLabels.get(i) + ": "
                + format.apply(s.values()[i]))).append("</title></circle>");
      }
      b.append("</g>\n");
    }
    if (!markers.isEmpty()) {
      b.append("<g class=\"anomaly-markers\">");
      for (Marker m : markers) {
        double px = xOf.apply(m.bucket());
        double py = m.series() >= 0 ? yOf.apply(series.get(m.series()).values()[m.bucket()]) : TOP + 8;
        b.append("<circle class=\"anomaly\" cx=\"").append(n(px)).append("\" cy=\"").append(n(py))
            .append("\" r=\"7\"><title>").append(esc(m.tooltip())).append("</title></circle>");
      }
      b.append("</g>\n");
    }
    // legend, top left, one entry per series (and the anomaly ring when there are markers)
    b.append("<g class=\"legend\">");
    double lx = LEFT;
    for (Series s : series) {
      b.append("<g class=\"legend-entry\"><title>").append(esc(s.name())).append("</title><rect x=\"").append(n(lx))
          .append("\" y=\"12\" width=\"12\" height=\"12\" fill=\"").append(s.color()).append("\"/><text x=\"")
          .append(n(lx + 17)).append("\" y=\"22\">").append(esc(s.name())).append("</text></g>");
      lx += 32 + 7.5 * s.name().length();
    }
    if (!markers.isEmpty()) {
      b.append("<g class=\"legend-entry\"><title>a window the anomalies table flags</title><circle class=\"anomaly\" cx=\"")
          .append(n(lx + 6)).append("\" cy=\"18\" r=\"6\"/><text x=\"").append(n(lx + 17))
          .append("\" y=\"22\">anomaly</text></g>");
    }
    b.append("</g>\n</svg>");
    return b.toString();
  }
}
