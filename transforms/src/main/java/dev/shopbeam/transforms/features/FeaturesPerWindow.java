package dev.shopbeam.transforms.features;

import com.google.auto.value.AutoValue;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.ItemFeatures;
import dev.shopbeam.schemas.UserFeatures;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Never;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Duration;

/**
 * Item and user features per fixed event-time window, for streaming: each window's rows are emitted
 * once, complete, when the watermark passes the window's end plus the allowed lateness.
 *
 * <p>Why once and late, not early and updated: the features are several aggregations deep (a user's
 * steps per item, then users per step; users, then quintiles among them), and an updated pane would be
 * counted again by every stage after the first. One final pane per window keeps every stage exact, and
 * a record within the allowed lateness still counts in its window (the too_late gate in front
 * dead-letters anything later, so nothing is dropped here unseen).
 */
@AutoValue
public abstract class FeaturesPerWindow extends PTransform<PCollection<CommerceEvent>, PCollectionTuple> {
  public static final TupleTag<ItemFeatures> ITEM_FEATURES = new TupleTag<>("itemFeatures") {};
  public static final TupleTag<UserFeatures> USER_FEATURES = new TupleTag<>("userFeatures") {};

  public abstract Duration size();

  public abstract Duration allowedLateness();

  public static FeaturesPerWindow of(Duration size, Duration allowedLateness) {
    if (size.getMillis() < 1 || allowedLateness.getMillis() < 0) {
      throw new IllegalArgumentException("feature windows need a positive size and a lateness >= 0; got " + size
          + ", " + allowedLateness);
    }
    return new AutoValue_FeaturesPerWindow(size, allowedLateness);
  }

  @Override
  public PCollectionTuple expand(PCollection<CommerceEvent> events) {
    PCollection<CommerceEvent> windowed = events.apply("Feature windows", Window.<CommerceEvent>into(FixedWindows.of(size()))
        .triggering(Never.ever())
        .withAllowedLateness(allowedLateness(), Window.ClosingBehavior.FIRE_IF_NON_EMPTY)
        .discardingFiredPanes());
    return PCollectionTuple
        .of(ITEM_FEATURES, windowed.apply("Item features", new ItemFeaturesOf()))
        .and(USER_FEATURES, windowed.apply("User features", UserFeaturesOf.rankedInOneGroupPerWindow()));
  }
}
