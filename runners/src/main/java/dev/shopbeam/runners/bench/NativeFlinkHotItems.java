package dev.shopbeam.runners.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.DiscardingSink;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.time.Time;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * The reference a Flink user would write by hand (the well-known DataStream "hot items" job on Taobao
 * UserBehavior): sliding event-time windows with an incremental count per (behavior, item), then a keyed
 * process function per (behavior, window) that ranks the window's counts when it closes. Batch execution
 * mode, so that like Beam's batch run it sees every event and drops none as late.
 */
public final class NativeFlinkHotItems {
  private NativeFlinkHotItems() {}

  /** Runs the job on an embedded Flink cluster; returns the number of rows it produced. */
  public static long run(String input, HotItemsSpec spec, int parallelism) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, new Configuration());
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    env.readTextFile(input)
        .flatMap((FlatMapFunction<String, Tuple3<String, String, Long>>) (line, out) -> {
          HotItemsSpec.Parsed e = HotItemsSpec.parse(line);
          if (e != null) {
            out.collect(Tuple3.of(e.behavior(), e.item(), e.millis()));
          }
        })
        .returns(Types.TUPLE(Types.STRING, Types.STRING, Types.LONG))
        .assignTimestampsAndWatermarks(WatermarkStrategy.<Tuple3<String, String, Long>>forMonotonousTimestamps()
            .withTimestampAssigner((e, previous) -> e.f2))
        .keyBy(new KeySelector<Tuple3<String, String, Long>, Tuple2<String, String>>() {
          @Override
          public Tuple2<String, String> getKey(Tuple3<String, String, Long> e) {
            return Tuple2.of(e.f0, e.f1);
          }
        })
        .window(SlidingEventTimeWindows.of(Time.milliseconds(spec.sizeMillis()), Time.milliseconds(spec.periodMillis())))
        .aggregate(new CountEvents(), new WithWindowEnd())
        .keyBy(new KeySelector<Tuple4<String, Long, String, Long>, Tuple2<String, Long>>() {
          @Override
          public Tuple2<String, Long> getKey(Tuple4<String, Long, String, Long> c) {
            return Tuple2.of(c.f0, c.f1);
          }
        })
        .process(new TopN(spec.topN()))
        .addSink(new DiscardingSink<>());
    JobExecutionResult result = env.execute("native Flink hot items");
    Long rows = result.getAccumulatorResult(TopN.ROWS);
    return rows == null ? 0 : rows;
  }

  static final class CountEvents implements AggregateFunction<Tuple3<String, String, Long>, Long, Long> {
    @Override
    public Long createAccumulator() {
      return 0L;
    }

    @Override
    public Long add(Tuple3<String, String, Long> value, Long count) {
      return count + 1;
    }

    @Override
    public Long getResult(Long count) {
      return count;
    }

    @Override
    public Long merge(Long a, Long b) {
      return a + b;
    }
  }

  /** (behavior, window end, item, count). */
  static final class WithWindowEnd
      extends ProcessWindowFunction<Long, Tuple4<String, Long, String, Long>, Tuple2<String, String>, TimeWindow> {
    @Override
    public void process(Tuple2<String, String> key, Context context, Iterable<Long> counts,
        Collector<Tuple4<String, Long, String, Long>> out) {
      out.collect(Tuple4.of(key.f0, context.window().getEnd(), key.f1, counts.iterator().next()));
    }
  }

  /** Collects one window's counts per behavior and ranks them when the window's end passes. */
  static final class TopN extends KeyedProcessFunction<Tuple2<String, Long>, Tuple4<String, Long, String, Long>,
      Tuple3<String, Long, String>> {
    static final String ROWS = "hot_items";
    private final int n;
    private transient ListState<Tuple4<String, Long, String, Long>> counts;
    private final LongCounter rows = new LongCounter();

    TopN(int n) {
      this.n = n;
    }

    @Override
    public void open(Configuration parameters) {
      counts = getRuntimeContext().getListState(new ListStateDescriptor<>("counts",
          Types.TUPLE(Types.STRING, Types.LONG, Types.STRING, Types.LONG)));
      getRuntimeContext().addAccumulator(ROWS, rows);
    }

    @Override
    public void processElement(Tuple4<String, Long, String, Long> c, Context ctx,
        Collector<Tuple3<String, Long, String>> out) throws Exception {
      counts.add(c);
      ctx.timerService().registerEventTimeTimer(c.f1 + 1);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Tuple3<String, Long, String>> out)
        throws Exception {
      PriorityQueue<Tuple4<String, Long, String, Long>> top = new PriorityQueue<>(n + 1, (a, b) -> {
        int byCount = Long.compare(a.f3, b.f3);
        return byCount != 0 ? byCount : b.f2.compareTo(a.f2);
      });
      for (Tuple4<String, Long, String, Long> c : counts.get()) {
        top.add(c);
        if (top.size() > n) {
          top.poll();
        }
      }
      counts.clear();
      List<String> items = new ArrayList<>();
      for (Tuple4<String, Long, String, Long> c : top) {
        items.add(c.f2);
      }
      rows.add(items.size());
      out.collect(Tuple3.of(ctx.getCurrentKey().f0, ctx.getCurrentKey().f1, String.join(",", items)));
    }
  }
}
