package dev.shopbeam.transforms.bench;

import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.DeadLetter;
import dev.shopbeam.transforms.EventStreams;
import dev.shopbeam.transforms.parse.ParseEvents;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.join.RawUnionValue;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;
import org.openjdk.jmh.infra.Blackhole;

/** The DoFn's outputs outside a pipeline: into a JMH {@link Blackhole}, or tallied for a sanity line. */
final class Outputs {
  private Outputs() {}

  /** Every output of every tag goes to {@link #bh} (set it before each call). */
  static final class Sink implements DoFn.MultiOutputReceiver {
    Blackhole bh;
    private final DoFn.OutputReceiver<Object> receiver =
        new DoFn.OutputReceiver<Object>() {
          @Override
          public void output(Object output) {
            bh.consume(output);
          }

          @Override
          public void outputWithTimestamp(Object output, Instant timestamp) {
            bh.consume(output);
            bh.consume(timestamp);
          }

          @Override
          public void outputWindowedValue(Object output, Instant timestamp,
              java.util.Collection<? extends BoundedWindow> windows, PaneInfo paneInfo) {
            throw new UnsupportedOperationException();
          }
        };

    @Override
    @SuppressWarnings("unchecked")
    public <T> DoFn.OutputReceiver<T> get(TupleTag<T> tag) {
      return (DoFn.OutputReceiver<T>) receiver;
    }

    @Override
    public <T> DoFn.OutputReceiver<Row> getRowReceiver(TupleTag<T> tag) {
      throw new UnsupportedOperationException();
    }
  }

  /** Counts outcomes: events, dead letters by reason, filtered records by rule. */
  static final class Tally implements DoFn.MultiOutputReceiver {
    long events;
    final Map<String, Long> deadLetters = new TreeMap<>();
    final Map<String, Long> filtered = new TreeMap<>();

    @Override
    @SuppressWarnings("unchecked")
    public <T> DoFn.OutputReceiver<T> get(TupleTag<T> tag) {
      return new DoFn.OutputReceiver<T>() {
        @Override
        public void output(T output) {
          count(output);
        }

        @Override
        public void outputWithTimestamp(T output, Instant timestamp) {
          count(output);
        }

        private void count(T output) {
          if (tag.getId().equals(EventStreams.EVENTS.getId())) {
            if (!(output instanceof CommerceEvent)) {
              throw new IllegalStateException("not an event: " + output);
            }
            events++;
          } else if (tag.getId().equals(ParseEvents.REJECTS.getId())) {
            RawUnionValue reject = (RawUnionValue) output;
            if (reject.getUnionTag() == ParseEvents.DEAD_LETTER) {
              deadLetters.merge(((DeadLetter) reject.getValue()).getReason(), 1L, Long::sum);
            } else {
              filtered.merge(((KV<String, String>) reject.getValue()).getKey(), 1L, Long::sum);
            }
          } else {
            throw new IllegalStateException("an output the parse step does not have: " + tag.getId());
          }
        }
      };
    }

    @Override
    public <T> DoFn.OutputReceiver<Row> getRowReceiver(TupleTag<T> tag) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String toString() {
      return events + " events, dead letters " + deadLetters + ", filtered " + filtered;
    }
  }
}
