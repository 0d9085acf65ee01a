package dev.shopbeam.transforms.recommend;

import java.io.Serializable;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * A map-valued side input read once per window rather than once per element: a DoFn field. Looking a
 * view up goes through the runner's side input reader on every call, which costs more than the map
 * lookups the element needs; the value is kept until an element of another window comes.
 */
final class SideInputOfWindow<T> implements Serializable {
  private final PCollectionView<T> view;
  private transient T value;
  private transient BoundedWindow window;

  SideInputOfWindow(PCollectionView<T> view) {
    this.view = view;
  }

  T get(DoFn<?, ?>.ProcessContext c, BoundedWindow elementWindow) {
    if (value == null || !elementWindow.equals(window)) {
      value = c.sideInput(view);
      window = elementWindow;
    }
    return value;
  }
}
