package io.eventagg.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.sink.RowVersion;
import io.eventagg.sketch.Sketches;
import io.eventagg.testing.HarnessBackend;
import io.eventagg.testing.HarnessOutput;
import io.eventagg.time.Granularity;
import io.eventagg.timeseries.DistinctIds;
import io.eventagg.timeseries.SeriesAccumulator;
import io.eventagg.timeseries.SeriesAggregate;
import io.eventagg.timeseries.SeriesKeys;
import io.eventagg.timeseries.SeriesPartial;
import io.eventagg.timeseries.SeriesRow;
import io.eventagg.timeseries.SeriesRows;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.operators.windowing.WindowOperatorBuilder;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link EmitTrigger} (as the funnels' windows use it) on calendar hour windows of time-series
 * values, driven through Flink's keyed operator test harness: early emission per tick,
 * emission at the window end, late updates within the allowed lateness, the final row, dropping
 * what comes later, and state and timer cleanup; on the heap and on RocksDB.
 */
@ParameterizedClass
@EnumSource(HarnessBackend.class)
class EmitTriggerTest {
    @Parameter
    HarnessBackend backend;

    private static final long HOUR_START = Instant.parse("2024-03-01T10:00:00Z").toEpochMilli();
    private static final long HOUR_END = HOUR_START + 3_600_000L;
    private static final long EMIT = 1000;
    private static final long LATENESS = Duration.ofMinutes(10).toMillis();
    private static final OutputTag<SeriesPartial> LATE = new OutputTag<>("late") {};

    private KeyedOneInputStreamOperatorTestHarness<Long, SeriesPartial, SeriesRow> harness;

    @BeforeEach
    void open() throws Exception {
        WindowOperatorBuilder<SeriesPartial, Long, TimeWindow> builder = new WindowOperatorBuilder<>(
                TumblingEventTimeWindows.of(Duration.ofHours(1)),
                new EmitTrigger(EMIT, LATENESS),
                new ExecutionConfig(),
                TypeInformation.of(SeriesPartial.class),
                SeriesPartial::key,
                Types.LONG);
        builder.allowedLateness(Duration.ofMillis(LATENESS));
        builder.sideOutputLateData(LATE);
        OneInputStreamOperator<SeriesPartial, SeriesRow> op =
                builder.aggregate(new SeriesAggregate(14, 1, 100), new HourRows(), SeriesAccumulator.typeInfo());
        harness = backend.on(new KeyedOneInputStreamOperatorTestHarness<>(op, SeriesPartial::key, Types.LONG));
        harness.setup();
        harness.open();
        harness.setProcessingTime(0);
    }

    /** The time-series row of the window each time the trigger fires. */
    static final class HourRows extends ProcessWindowFunction<SeriesAccumulator, SeriesRow, Long, TimeWindow> {
        private static final SeriesRows ROWS = new SeriesRows(List.of("plan"), 10, 0);

        @Override
        public void process(Long key, Context ctx, Iterable<SeriesAccumulator> elements, Collector<SeriesRow> out) {
            boolean isFinal = ctx.currentWatermark() >= ctx.window().maxTimestamp() + LATENESS;
            out.collect(ROWS.row(
                    elements.iterator().next(), Granularity.HOUR, ctx.window().getStart(), isFinal));
        }
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static SeriesPartial partial(long count, String... users) {
        long[] hashes = new long[users.length];
        for (int i = 0; i < users.length; i++) hashes[i] = Sketches.idHash(users[i]);
        long key = SeriesKeys.key(SeriesKeys.seriesHash(false, "production", "signup"), Granularity.HOUR, 0);
        return new SeriesPartial(
                key,
                false,
                "production",
                "signup",
                HOUR_START,
                count,
                DistinctIds.ofHashes(hashes),
                null,
                new int[] {0},
                new String[] {"pro"},
                new long[] {count},
                new long[] {0});
    }

    private List<SeriesRow> drain() {
        List<SeriesRow> rows = HarnessOutput.values(harness);
        harness.getOutput().clear();
        return rows;
    }

    @Test
    void emitsOnTicksWhileOpenThenAtEndThenFinal() throws Exception {
        harness.processElement(partial(2, "a", "b"), HOUR_START);
        assertThat(drain()).as("nothing before the first tick").isEmpty();

        harness.setProcessingTime(EMIT);
        List<SeriesRow> first = drain();
        assertThat(first).hasSize(1);
        assertThat(first.get(0).count()).isEqualTo(2);
        assertThat(first.get(0).uniqueUsers()).isEqualTo(2);
        assertThat(first.get(0).isFinal()).isFalse();
        assertThat(first.get(0).bucketStart()).isEqualTo(HOUR_START);

        harness.setProcessingTime(3 * EMIT);
        assertThat(drain()).as("no change, no row").isEmpty();

        harness.processElement(partial(3, "b", "c"), HOUR_START);
        harness.setProcessingTime(4 * EMIT);
        SeriesRow second = drain().get(0);
        assertThat(second.count()).isEqualTo(5);
        assertThat(second.uniqueUsers()).as("union, not a sum").isEqualTo(3);
        assertThat(second.breakdowns()).isEqualTo("{\"plan\":{\"pro\":5}}");
        assertThat(second.version()).isGreaterThan(first.get(0).version());

        harness.processElement(partial(1, "d"), HOUR_START);
        harness.processWatermark(new Watermark(HOUR_END - 1));
        List<SeriesRow> atEnd = drain();
        assertThat(atEnd).as("the window end emits the changed value").hasSize(1);
        assertThat(atEnd.get(0).count()).isEqualTo(6);
        assertThat(atEnd.get(0).isFinal()).isFalse();

        harness.processWatermark(new Watermark(HOUR_END - 1 + LATENESS));
        List<SeriesRow> fin = drain();
        assertThat(fin).hasSize(1);
        assertThat(fin.get(0).isFinal()).isTrue();
        assertThat(fin.get(0).count()).isEqualTo(6);
        assertThat(fin.get(0).version()).isEqualTo(RowVersion.of(0, 6, true));
        assertThat(HarnessBackend.stateEntries(harness, "window-contents", "emit-tick", "emit-dirty"))
                .as("window state dropped")
                .isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void lateUpdateWithinLatenessIsEmittedAndLaterOnesAreDropped() throws Exception {
        harness.processElement(partial(1, "a"), HOUR_START);
        harness.processWatermark(new Watermark(HOUR_END + 1000));
        assertThat(drain()).extracting(SeriesRow::count).containsExactly(1L);

        harness.processElement(partial(1, "b"), HOUR_START);
        harness.setProcessingTime(EMIT);
        List<SeriesRow> late = drain();
        assertThat(late).extracting(SeriesRow::count).containsExactly(2L);
        assertThat(late.get(0).isFinal()).isFalse();

        harness.processWatermark(new Watermark(HOUR_END - 1 + LATENESS));
        assertThat(drain()).singleElement().satisfies(r -> {
            assertThat(r.isFinal()).isTrue();
            assertThat(r.count()).isEqualTo(2);
        });

        harness.processElement(partial(1, "c"), HOUR_START);
        assertThat(drain()).as("closed window: no row").isEmpty();
        assertThat(harness.getSideOutput(LATE)).hasSize(1);
    }

    @Test
    void jumpingPastEndAndLatenessAtOnceWritesOneFinalRow() throws Exception {
        harness.processElement(partial(4, "a"), HOUR_START);
        harness.processWatermark(new Watermark(Long.MAX_VALUE));
        List<SeriesRow> rows = drain();
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).isFinal()).isTrue();
    }
}
