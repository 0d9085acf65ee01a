package dev.shopbeam.pipelines.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** Streaming's file names: the window, the pane number (sortable) and its timing, the shard. */
class PaneNamingTest {
  private static final IntervalWindow HOUR =
      new IntervalWindow(Instant.parse("2017-11-25T08:00:00Z"), Instant.parse("2017-11-25T09:00:00Z"));

  @Test
  void namesSayWindowPaneAndTiming() {
    WriteTable.PaneNaming naming = new WriteTable.PaneNaming(".parquet");
    assertEquals("20171125T080000Z_20171125T090000Z-pane-000-on_time-0-of-1.parquet",
        naming.getFilename(HOUR, PaneInfo.createPane(true, false, PaneInfo.Timing.ON_TIME, 0, 0), 1, 0,
            Compression.UNCOMPRESSED));
    assertEquals("20171125T080000Z_20171125T090000Z-pane-012-late-1-of-2.parquet",
        naming.getFilename(HOUR, PaneInfo.createPane(false, false, PaneInfo.Timing.LATE, 12, 1), 2, 1,
            Compression.UNCOMPRESSED));
  }
}
