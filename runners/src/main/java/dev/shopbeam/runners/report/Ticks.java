package dev.shopbeam.runners.report;

import java.util.ArrayList;
import java.util.List;

/** Axis ticks from 0 to a "nice" top (1, 2, 2.5 or 5 times a power of ten per step), about five of them. */
record Ticks(double step, double top) {
  static Ticks upTo(double max) {
    if (!(max > 0)) {
      return new Ticks(0.25, 1);
    }
    double raw = max / 5;
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = mag;
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * mag >= raw) {
        step = m * mag;
        break;
      }
    }
    return new Ticks(step, Math.ceil(max / step - 1e-9) * step);
  }

  List<Double> values() {
    List<Double> v = new ArrayList<>();
    int count = (int) Math.round(top / step);
    for (int i = 0; i <= count; i++) {
      v.add(i * step);
    }
    return v;
  }
}
