package dev.shopbeam.transforms.parse;

import dev.shopbeam.transforms.RecordOutcome;
import com.google.auto.value.AutoValue;
import dev.shopbeam.schemas.CommerceEvent;
import dev.shopbeam.schemas.DeadLetter;
import dev.shopbeam.schemas.RawRecord;
import dev.shopbeam.transforms.Coders;
import dev.shopbeam.transforms.DeadLetters;
import dev.shopbeam.transforms.EventStreams;
import dev.shopbeam.transforms.clean.CleanConfig;
import dev.shopbeam.transforms.clean.EventValidator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.join.RawUnionValue;
import org.apache.beam.sdk.transforms.join.UnionCoder;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Parses raw records of one {@link InputFormat} into canonical events. A record that is empty, too
 * large, not UTF-8 or not of the layout becomes a dead letter with its reason; a record the layout
 * itself marks as not an event (an Online Retail stock write-off) is filtered under its rule. Over
 * bounded input the step can also count the records it reads ({@link #countingRecords()}) and tally the
 * events it emits ({@link #tallyingEvents}), per bundle, so that neither needs a pass of its own.
 */
@AutoValue
public abstract class ParseEvents extends PTransform<PCollection<RawRecord>, EventStreams> {

  public abstract InputFormat format();

  /** When set, each parsed event is also validated and filtered (see {@link EventValidator}). */
  public abstract @Nullable CleanConfig validation();

  /** Whether the step also counts the records that enter it ({@link EventStreams#RECORDS_IN}). */
  public abstract boolean countsRecords();

  /** When set, the step also tallies the events it emits, per bundle, under {@link #tallyTag()}. */
  public abstract @Nullable EventTally<?> eventTally();

  public abstract @Nullable TupleTag<?> tallyTag();

  public static ParseEvents of(InputFormat format) {
    return new AutoValue_ParseEvents(format, null, false, null, null);
  }

  /**
   * Parse and validate in one step, while the raw record and its location are still at hand for the
   * dead letter (and without a second pass over the events).
   */
  public ParseEvents withValidation(CleanConfig config) {
    return new AutoValue_ParseEvents(format(), config, countsRecords(), eventTally(), tallyTag());
  }

  /**
   * Also counts the records that enter the step, one count per bundle under {@link
   * EventStreams#RECORDS_IN}: every record is counted before it is parsed, so the count is that of the
   * records read, without a reader of the records of its own. Global window only (bounded input).
   */
  public ParseEvents countingRecords() {
    return new AutoValue_ParseEvents(format(), validation(), true, eventTally(), tallyTag());
  }

  /**
   * Also folds every event the step emits into {@code tally}, one tally per bundle (global window)
   * under {@code tag} of the result. Global window only (bounded input).
   */
  public <T> ParseEvents tallyingEvents(EventTally<T> tally, TupleTag<T> tag) {
    return new AutoValue_ParseEvents(format(), validation(), countsRecords(), tally, tag);
  }

  /**
   * The parse step's second output: its dead letters (union tag {@link #DEAD_LETTER}), filtered
   * records ({@link #FILTERED}) and, once per bundle, its count of records in ({@link #RECORD_COUNT})
   * and its event tally ({@link #EVENT_TALLY}) together. All are rare, and Flink's batch translation
   * hands every element of a step to each of its outputs' consumers, so each output of its own would
   * move every event once more.
   */
  public static final TupleTag<RawUnionValue> REJECTS = new TupleTag<>("rejects") {};

  public static final int DEAD_LETTER = 0;
  public static final int FILTERED = 1;
  public static final int RECORD_COUNT = 2;
  public static final int EVENT_TALLY = 3;

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public EventStreams expand(PCollection<RawRecord> records) {
    if ((countsRecords() || eventTally() != null)
        && !(records.getWindowingStrategy().getWindowFn() instanceof GlobalWindows)) {
      throw new IllegalArgumentException(
          "counting records and tallying events are per bundle of the global window; the records are windowed by "
              + records.getWindowingStrategy().getWindowFn());
    }
    PCollectionTuple out =
        records.apply(
            "Parse " + format().cliName(),
            ParDo.of(new ParseFn(format(), validation(), countsRecords(), (EventTally<Object>) eventTally()))
                .withOutputTags(EventStreams.EVENTS, TupleTagList.of(REJECTS)));
    out.get(EventStreams.EVENTS).setCoder(Coders.events());
    List<Coder<?>> rejectCoders = new ArrayList<>(List.of(Coders.deadLetters(), Coders.filtered(), VarLongCoder.of()));
    TupleTagList moreOutputs = TupleTagList.of(EventStreams.FILTERED);
    if (countsRecords()) {
      moreOutputs = moreOutputs.and(EventStreams.RECORDS_IN);
    }
    if (eventTally() != null) {
      rejectCoders.add(eventTally().coder());
      moreOutputs = moreOutputs.and(tallyTag());
    }
    PCollectionTuple rejects = out.get(REJECTS)
        .setCoder(UnionCoder.of(rejectCoders))
        .apply("Dead letters, filtered, counts and tallies", ParDo.of(new SplitRejectsFn((TupleTag<Object>) tallyTag()))
            .withOutputTags(EventStreams.DEAD_LETTERS, moreOutputs));
    EventStreams streams = EventStreams.of(
        out.get(EventStreams.EVENTS),
        rejects.get(EventStreams.DEAD_LETTERS).setCoder(Coders.deadLetters()),
        rejects.get(EventStreams.FILTERED).setCoder(Coders.filtered()));
    if (countsRecords()) {
      streams = streams.and(EventStreams.RECORDS_IN, rejects.get(EventStreams.RECORDS_IN).setCoder(VarLongCoder.of()));
    }
    if (eventTally() != null) {
      TupleTag<Object> tag = (TupleTag<Object>) tallyTag();
      streams = streams.and(tag, rejects.get(tag).setCoder((Coder) eventTally().coder()));
    }
    return streams;
  }

  /** Each reject, count and tally to its own output, with its timestamp. */
  static final class SplitRejectsFn extends DoFn<RawUnionValue, DeadLetter> {
    private final @Nullable TupleTag<Object> tallyTag;

    SplitRejectsFn(@Nullable TupleTag<Object> tallyTag) {
      this.tallyTag = tallyTag;
    }

    @ProcessElement
    @SuppressWarnings("unchecked")
    public void process(@Element RawUnionValue reject, MultiOutputReceiver out) {
      switch (reject.getUnionTag()) {
        case DEAD_LETTER -> out.get(EventStreams.DEAD_LETTERS).output((DeadLetter) reject.getValue());
        case FILTERED -> out.get(EventStreams.FILTERED).output((KV<String, String>) reject.getValue());
        case RECORD_COUNT -> out.get(EventStreams.RECORDS_IN).output((Long) reject.getValue());
        case EVENT_TALLY -> out.get(tallyTag).output(reject.getValue());
        default -> throw new IllegalArgumentException("union tag " + reject.getUnionTag());
      }
    }
  }

  /**
   * The per-record step. Public so that it can be driven outside a pipeline, record by record, by the
   * JMH benchmarks (transforms/src/test/java/dev/shopbeam/transforms/bench): call {@link #setup()},
   * then {@link #process} per record.
   */
  public static final class ParseFn extends DoFn<RawRecord, CommerceEvent> {
    /** From the latest valid timestamp to the earliest: any output is allowed to be that much earlier. */
    static final Duration ANY_EARLIER = Duration.millis(
        BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis() - BoundedWindow.TIMESTAMP_MIN_VALUE.getMillis());

    private final InputFormat format;
    private final @Nullable CleanConfig validation;
    private final boolean countRecords;
    private final @Nullable EventTally<Object> eventTally;
    private transient RecordParser parser;
    private transient @Nullable EventValidator validator;
    private transient long recordsIn;
    private transient @Nullable Object tally;

    public ParseFn(InputFormat format, @Nullable CleanConfig validation) {
      this(format, validation, false, null);
    }

    ParseFn(InputFormat format, @Nullable CleanConfig validation, boolean countRecords,
        @Nullable EventTally<Object> eventTally) {
      this.format = format;
      this.validation = validation;
      this.countRecords = countRecords;
      this.eventTally = eventTally;
    }

    @Setup
    public void setup() {
      parser = format.newParser();
      validator = validation == null ? null : new EventValidator(validation);
    }

    @StartBundle
    public void startBundle() {
      recordsIn = 0;
      tally = null;
    }

    @ProcessElement
    public void process(@Element RawRecord record, MultiOutputReceiver out) {
      recordsIn++;
      String location = record.getSourceLocation();
      byte[] bytes = bytesOf(record.getPayload());
      if (record.getOriginalLength() > bytes.length) {
        deadLetter(out, DeadLetters.ofBytes(bytes, location, Reasons.RECORD_TOO_LARGE,
            "record is " + record.getOriginalLength() + " bytes; the limit is " + bytes.length
                + " (payload cut to the limit)",
            DeadLetters.STAGE_READ, format.cliName()));
        return;
      }
      String text = decodeStrict(bytes);
      if (text == null) {
        deadLetter(out, DeadLetters.ofBytes(bytes, location, Reasons.INVALID_UTF8,
            "record is not valid UTF-8 (raw bytes kept as base64)",
            DeadLetters.STAGE_PARSE, format.cliName()));
        return;
      }
      if (text.isBlank()) {
        deadLetter(out, DeadLetters.of(text, location, Reasons.EMPTY_RECORD,
            "record is empty or only white space", DeadLetters.STAGE_PARSE, format.cliName()));
        return;
      }
      RecordOutcome outcome;
      String stage = DeadLetters.STAGE_PARSE;
      try {
        outcome = parser.parse(text, record.getIngestTime());
        if (outcome.isEvent() && validator != null) {
          stage = DeadLetters.STAGE_CLEAN;
          outcome = validator.check(outcome.event());
        }
      } catch (RuntimeException e) {
        // A bug in a parser or rule must not lose the record or kill the job: it becomes a dead letter
        // that says so, and the summary shows it under its own reason.
        outcome = RecordOutcome.rejected(
            Reasons.INTERNAL_ERROR, e.getClass().getSimpleName() + ": " + e.getMessage());
      }
      if (outcome.isEvent()) {
        CommerceEvent event = outcome.event();
        if (eventTally != null) {
          if (tally == null) {
            tally = eventTally.create();
          }
          eventTally.add(tally, event);
        }
        if (validator != null) {
          // Validated events are within Beam's timestamp range, so they can carry their event time.
          out.get(EventStreams.EVENTS)
              .outputWithTimestamp(event, new Instant(event.getEventTime().toEpochMilli()));
        } else {
          out.get(EventStreams.EVENTS).output(event);
        }
      } else if (outcome.isFiltered()) {
        out.get(REJECTS).output(new RawUnionValue(FILTERED, KV.of(outcome.filterRule(), location)));
      } else {
        deadLetter(out, DeadLetters.of(text, location, outcome.reason(), outcome.detail(),
            stage, format.cliName()));
      }
    }

    /** The bundle's count and tally, where asked for; in the global window, like the records. */
    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      if (countRecords && recordsIn > 0) {
        context.output(REJECTS, new RawUnionValue(RECORD_COUNT, recordsIn),
            GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
      }
      if (tally != null) {
        context.output(REJECTS, new RawUnionValue(EVENT_TALLY, tally),
            GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
      }
      recordsIn = 0;
      tally = null;
    }

    private static void deadLetter(MultiOutputReceiver out, DeadLetter deadLetter) {
      out.get(REJECTS).output(new RawUnionValue(DEAD_LETTER, deadLetter));
    }

    /**
     * Event time may be earlier than the record's arrival timestamp (a Kafka append time, a file's
     * read time): that is what event time is. Lateness is the windowing's business, not this step's.
     *
     * <p>The span of all valid timestamps, not {@code Long.MAX_VALUE}: Beam subtracts the skew from
     * each record's timestamp, and from a file record's (the minimum timestamp) that overflowed, and
     * Beam caught the ArithmeticException, with its stack trace filled in, once per event: 2% of a
     * Flink whole-batch profile. No output timestamp is earlier than this allows either.
     */
    @Override
    @SuppressWarnings("deprecation")
    public Duration getAllowedTimestampSkew() {
      return ANY_EARLIER;
    }

    /**
     * {@link DeadLetters#decodeStrict}, without a decoder per record: the JDK's String decoding replaces
     * each malformed UTF-8 sequence with U+FFFD, so a result without U+FFFD is exactly what the strict
     * decoder returns. With one (a malformed record, or a U+FFFD of the text's own) the strict decoder
     * decides.
     */
    static String decodeStrict(byte[] bytes) {
      String text = new String(bytes, StandardCharsets.UTF_8);
      return text.indexOf('\uFFFD') < 0 ? text : DeadLetters.decodeStrict(bytes);
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
      ByteBuffer b = buffer.duplicate();
      if (b.hasArray() && b.arrayOffset() == 0 && b.position() == 0 && b.remaining() == b.array().length) {
        return b.array();
      }
      byte[] copy = new byte[b.remaining()];
      b.get(copy);
      return copy;
    }
  }

}
