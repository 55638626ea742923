package io.eventagg.timeseries;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.sink.RowVersion;
import io.eventagg.sketch.Sketches;
import io.eventagg.testing.HarnessBackend;
import io.eventagg.testing.HarnessOutput;
import io.eventagg.time.Granularity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link SeriesBucketOperator} through Flink's keyed operator test harness: rows per emission tick
 * while a bucket changes, at its end, the final row at end plus allowed lateness, state and timer
 * cleanup, late partials to the side output, the emission before a checkpoint barrier, several
 * granularities side by side, a restore from a snapshot, and batch execution (final rows only);
 * on the heap and on RocksDB.
 */
@ParameterizedClass
@EnumSource(HarnessBackend.class)
class SeriesBucketOperatorTest {
    @Parameter
    HarnessBackend backend;

    private static final long HOUR_START = Instant.parse("2024-03-01T10:00:00Z").toEpochMilli();
    private static final long HOUR_END = HOUR_START + 3_600_000L;
    private static final long DAY_START = Instant.parse("2024-03-01T00:00:00Z").toEpochMilli();
    private static final long EMIT = 1000;
    private static final long LATENESS = Duration.ofMinutes(10).toMillis();
    private static final JobDefinition JOB = JobLoader.parse("""
            name: ops
            granularities: [hour, day]
            breakdowns: [plan]
            breakdown_limit: 10
            """);

    private KeyedOneInputStreamOperatorTestHarness<Long, SeriesPartial, SeriesRow> harness;

    private KeyedOneInputStreamOperatorTestHarness<Long, SeriesPartial, SeriesRow> open(
            long lateness, long emit, OperatorSubtaskState restoreFrom) throws Exception {
        harness = backend.on(
                new KeyedOneInputStreamOperatorTestHarness<>(operator(lateness, emit), SeriesPartial::key, Types.LONG));
        harness.setup();
        if (restoreFrom != null) harness.initializeState(restoreFrom);
        harness.open();
        harness.setProcessingTime(0);
        return harness;
    }

    /** The operator's keyed state entries: bucket accumulators and each key's index of open buckets. */
    private long stateEntries() throws Exception {
        return HarnessBackend.stateEntries(harness, "series-bucket", "series-open-buckets");
    }

    SeriesBucketOperator operator(long lateness, long emit) {
        return new SeriesBucketOperator(JOB, lateness, emit, 0);
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) harness.close();
    }

    static long key(boolean rollup, String event, Granularity g, long start) {
        return SeriesKeys.key(
                SeriesKeys.seriesHash(rollup, "production", event), g, SeriesKeys.shard(JOB.calendar(), g, start));
    }

    private static SeriesPartial partial(Granularity g, long start, long count, String... users) {
        long[] hashes = new long[users.length];
        for (int i = 0; i < users.length; i++) hashes[i] = Sketches.idHash(users[i]);
        return new SeriesPartial(
                key(false, "signup", g, start),
                false,
                "production",
                "signup",
                start,
                count,
                DistinctIds.ofHashes(hashes),
                null,
                new int[] {0},
                new String[] {"pro"},
                new long[] {count},
                new long[] {0});
    }

    private static SeriesPartial hourly(long count, String... users) {
        return partial(Granularity.HOUR, HOUR_START, count, users);
    }

    private List<SeriesRow> drain() {
        List<SeriesRow> rows = HarnessOutput.values(harness);
        harness.getOutput().clear();
        return rows;
    }

    @Test
    void emitsOnTicksWhileChangingThenFinal() throws Exception {
        open(LATENESS, EMIT, null);
        harness.processElement(hourly(2, "a", "b"), HOUR_START);
        assertThat(drain()).as("nothing before the first tick").isEmpty();

        harness.setProcessingTime(EMIT);
        List<SeriesRow> first = drain();
        assertThat(first).hasSize(1);
        assertThat(first.get(0).count()).isEqualTo(2);
        assertThat(first.get(0).uniqueUsers()).isEqualTo(2);
        assertThat(first.get(0).isFinal()).isFalse();
        assertThat(first.get(0).bucketStart()).isEqualTo(HOUR_START);
        assertThat(first.get(0).granularity()).isEqualTo("hour");

        harness.setProcessingTime(3 * EMIT);
        assertThat(drain()).as("no change, no row").isEmpty();

        harness.processElement(hourly(3, "b", "c"), HOUR_START);
        harness.setProcessingTime(4 * EMIT);
        SeriesRow second = drain().get(0);
        assertThat(second.count()).isEqualTo(5);
        assertThat(second.uniqueUsers()).as("union, not a sum").isEqualTo(3);
        assertThat(second.breakdowns()).isEqualTo("{\"plan\":{\"pro\":5}}");
        assertThat(second.version()).isGreaterThan(first.get(0).version());

        harness.processElement(hourly(1, "d"), HOUR_START);
        harness.processWatermark(new Watermark(HOUR_END - 1));
        assertThat(drain()).as("the end itself writes nothing").isEmpty();
        harness.setProcessingTime(5 * EMIT);
        List<SeriesRow> afterEnd = drain();
        assertThat(afterEnd).as("the next tick writes the changed value").hasSize(1);
        assertThat(afterEnd.get(0).count()).isEqualTo(6);
        assertThat(afterEnd.get(0).isFinal()).isFalse();

        harness.processWatermark(new Watermark(HOUR_END - 1 + LATENESS));
        List<SeriesRow> fin = drain();
        assertThat(fin).hasSize(1);
        assertThat(fin.get(0).isFinal()).isTrue();
        assertThat(fin.get(0).count()).isEqualTo(6);
        assertThat(fin.get(0).version()).isEqualTo(RowVersion.of(0, 6, true));
        assertThat(stateEntries()).as("bucket state dropped").isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void aBucketChangedSeveralTimesBetweenTicksIsWrittenOnceInOrderOfFirstChange() throws Exception {
        open(LATENESS, EMIT, null);
        harness.processElement(hourly(1, "a"), HOUR_START);
        harness.processElement(partial(Granularity.DAY, DAY_START, 2, "a", "b"), DAY_START);
        harness.processElement(hourly(2, "b"), HOUR_START);
        harness.setProcessingTime(EMIT);
        assertThat(drain())
                .extracting(SeriesRow::granularity, SeriesRow::count)
                .containsExactly(Tuple.tuple("hour", 3L), Tuple.tuple("day", 2L));

        harness.processElement(partial(Granularity.DAY, DAY_START, 1, "c"), DAY_START);
        harness.processElement(hourly(1, "c"), HOUR_START);
        harness.processWatermark(new Watermark(HOUR_END - 1 + LATENESS));
        assertThat(drain()).as("the hour's final row").singleElement().satisfies(r -> {
            assertThat(r.isFinal()).isTrue();
            assertThat(r.count()).isEqualTo(4);
        });
        harness.setProcessingTime(2 * EMIT);
        assertThat(drain())
                .as("the closed hour is not written again, the day is")
                .extracting(SeriesRow::granularity, SeriesRow::count)
                .containsExactly(Tuple.tuple("day", 3L));
        harness.setProcessingTime(3 * EMIT);
        assertThat(drain()).isEmpty();
    }

    private static final long HOUR = 3_600_000L;

    private static SeriesPartial hour(int i, long count, String... users) {
        return partial(Granularity.HOUR, HOUR_START + i * HOUR, count, users);
    }

    @Test
    void oneTimerPerKeyClosesEveryDueBucketEarliestFirst() throws Exception {
        open(LATENESS, EMIT, null);
        for (int i : new int[] {2, 0, 4, 1, 3}) harness.processElement(hour(i, i + 1, "u" + i), HOUR_START + i * HOUR);
        harness.processElement(hour(1, 10, "x"), HOUR_START + HOUR);
        harness.processElement(partial(Granularity.DAY, DAY_START, 7, "a"), DAY_START);
        assertThat(harness.numEventTimeTimers())
                .as("one timer per key (hour, day), not per bucket")
                .isEqualTo(2);
        assertThat(stateEntries()).as("six buckets and two indexes").isEqualTo(8);

        harness.processWatermark(new Watermark(HOUR_START + 2 * HOUR - 1 + LATENESS));
        assertThat(drain())
                .as("the two due hours, in order, final")
                .extracting(SeriesRow::bucketStart, SeriesRow::count, SeriesRow::isFinal)
                .containsExactly(Tuple.tuple(HOUR_START, 1L, true), Tuple.tuple(HOUR_START + HOUR, 12L, true));
        assertThat(harness.numEventTimeTimers())
                .as("the hour key's timer moved to its next bucket")
                .isEqualTo(2);
        assertThat(stateEntries()).isEqualTo(6);

        harness.processWatermark(new Watermark(HOUR_START + 3 * HOUR - 2 + LATENESS));
        assertThat(drain()).as("not yet").isEmpty();
        harness.processWatermark(new Watermark(HOUR_START + 3 * HOUR - 1 + LATENESS));
        assertThat(drain())
                .as("an hour's end plus lateness minus one is its close")
                .extracting(SeriesRow::bucketStart)
                .containsExactly(HOUR_START + 2 * HOUR);

        harness.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(drain())
                .extracting(SeriesRow::granularity, SeriesRow::bucketStart, SeriesRow::count)
                .containsExactly(
                        Tuple.tuple("hour", HOUR_START + 3 * HOUR, 4L),
                        Tuple.tuple("hour", HOUR_START + 4 * HOUR, 5L),
                        Tuple.tuple("day", DAY_START, 7L));
        assertThat(stateEntries()).as("buckets and indexes dropped").isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void aBucketBeforeAllOpenOnesTakesTheKeysTimerAndEveryBucketClosesOnce() throws Exception {
        open(LATENESS, EMIT, null);
        harness.processElement(hour(3, 1, "a"), HOUR_START + 3 * HOUR);
        harness.processElement(hour(5, 1, "b"), HOUR_START + 5 * HOUR);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        harness.processElement(hour(1, 1, "c"), HOUR_START + HOUR);
        assertThat(harness.numEventTimeTimers())
                .as("the timer moved to the new earliest bucket")
                .isEqualTo(1);

        harness.processWatermark(new Watermark(HOUR_START + 2 * HOUR - 1 + LATENESS));
        assertThat(drain()).extracting(SeriesRow::bucketStart).containsExactly(HOUR_START + HOUR);
        harness.processWatermark(new Watermark(HOUR_START + 4 * HOUR - 1 + LATENESS));
        assertThat(drain())
                .as("then to the next one")
                .extracting(SeriesRow::bucketStart)
                .containsExactly(HOUR_START + 3 * HOUR);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        harness.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(drain()).extracting(SeriesRow::bucketStart).containsExactly(HOUR_START + 5 * HOUR);
        assertThat(stateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void openBucketsAndTheirTimerSurviveARestore() throws Exception {
        open(LATENESS, EMIT, null);
        for (int i : new int[] {1, 0, 2}) harness.processElement(hour(i, 1, "u" + i), HOUR_START + i * HOUR);
        harness.prepareSnapshotPreBarrier(1);
        drain();
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        open(LATENESS, EMIT, snapshot);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        harness.processElement(hour(3, 1, "v"), HOUR_START + 3 * HOUR);
        harness.processElement(hour(1, 1, "w"), HOUR_START + HOUR);
        harness.processWatermark(new Watermark(HOUR_START + 2 * HOUR - 1 + LATENESS));
        assertThat(drain())
                .extracting(SeriesRow::bucketStart, SeriesRow::count)
                .containsExactly(Tuple.tuple(HOUR_START, 1L), Tuple.tuple(HOUR_START + HOUR, 2L));
        harness.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(drain())
                .extracting(SeriesRow::bucketStart)
                .containsExactly(HOUR_START + 2 * HOUR, HOUR_START + 3 * HOUR);
        assertThat(stateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void lateUpdateWithinLatenessIsEmittedAndLaterOnesGoToTheSideOutput() throws Exception {
        open(LATENESS, EMIT, null);
        harness.processElement(hourly(1, "a"), HOUR_START);
        harness.processWatermark(new Watermark(HOUR_END + 1000));
        harness.setProcessingTime(EMIT / 2);
        assertThat(drain()).as("not before the tick").isEmpty();
        harness.setProcessingTime(EMIT);
        assertThat(drain()).extracting(SeriesRow::count).containsExactly(1L);

        harness.processElement(hourly(1, "b"), HOUR_START);
        harness.setProcessingTime(2 * EMIT);
        List<SeriesRow> late = drain();
        assertThat(late).extracting(SeriesRow::count).containsExactly(2L);
        assertThat(late.get(0).isFinal()).isFalse();

        harness.processWatermark(new Watermark(HOUR_END - 1 + LATENESS));
        assertThat(drain()).singleElement().satisfies(r -> {
            assertThat(r.isFinal()).isTrue();
            assertThat(r.count()).isEqualTo(2);
        });

        harness.processElement(hourly(1, "c"), HOUR_START);
        SeriesPartial rollup = new SeriesPartial(
                key(true, null, Granularity.HOUR, HOUR_START),
                true,
                "production",
                null,
                HOUR_START,
                3,
                DistinctIds.ofHashes(),
                DistinctIds.ofHashes(),
                null,
                null,
                null,
                null);
        harness.processElement(rollup, HOUR_START);
        assertThat(drain()).as("closed bucket: no row").isEmpty();
        assertThat(harness.getSideOutput(SeriesBucketOperator.LATE_PARTIALS)).hasSize(2);
        assertThat(stateEntries()).isZero();
        assertThat(((SeriesBucketOperator) harness.getOperator()).closedBucketEvents())
                .as("events counted once, by the rollup at the finest granularity")
                .isEqualTo(3);
    }

    @Test
    void jumpingPastEndAndLatenessAtOnceWritesOneFinalRow() throws Exception {
        open(LATENESS, EMIT, null);
        harness.processElement(hourly(4, "a"), HOUR_START);
        harness.processWatermark(new Watermark(Long.MAX_VALUE));
        List<SeriesRow> rows = drain();
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).isFinal()).isTrue();
        harness.setProcessingTime(10 * EMIT);
        assertThat(drain()).as("nothing pending after the final row").isEmpty();
    }

    @Test
    void granularitiesOfOneSeriesAreSeparateBuckets() throws Exception {
        open(LATENESS, EMIT, null);
        harness.processElement(hourly(2, "a", "b"), HOUR_START);
        harness.processElement(partial(Granularity.DAY, DAY_START, 7, "a", "b", "c"), DAY_START);
        harness.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(drain())
                .extracting(SeriesRow::granularity, SeriesRow::bucketStart, SeriesRow::count, SeriesRow::uniqueUsers)
                .containsExactlyInAnyOrder(
                        Tuple.tuple("hour", HOUR_START, 2L, 2L), Tuple.tuple("day", DAY_START, 7L, 3L));
    }

    @Test
    void changedBucketsAreWrittenBeforeTheCheckpointBarrierAndSurviveARestore() throws Exception {
        open(LATENESS, EMIT, null);
        harness.processElement(hourly(2, "a", "b"), HOUR_START);
        harness.prepareSnapshotPreBarrier(1);
        assertThat(drain())
                .as("written before the barrier")
                .extracting(SeriesRow::count)
                .containsExactly(2L);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        open(LATENESS, EMIT, snapshot);
        harness.processElement(hourly(1, "c"), HOUR_START);
        harness.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(drain()).singleElement().satisfies(r -> {
            assertThat(r.isFinal()).isTrue();
            assertThat(r.count())
                    .as("restored accumulator plus the new partial")
                    .isEqualTo(3);
            assertThat(r.uniqueUsers()).isEqualTo(3);
        });
    }

    @Test
    void batchExecutionClosesAKeysBucketsInOrderWithOneTimer() throws Exception {
        open(0, 0, null);
        for (int i : new int[] {5, 3, 0, 4, 1, 2})
            harness.processElement(hour(i, i + 1, "u" + i), HOUR_START + i * HOUR);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        harness.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(drain())
                .extracting(SeriesRow::bucketStart, SeriesRow::count, SeriesRow::isFinal)
                .containsExactly(
                        Tuple.tuple(HOUR_START, 1L, true),
                        Tuple.tuple(HOUR_START + HOUR, 2L, true),
                        Tuple.tuple(HOUR_START + 2 * HOUR, 3L, true),
                        Tuple.tuple(HOUR_START + 3 * HOUR, 4L, true),
                        Tuple.tuple(HOUR_START + 4 * HOUR, 5L, true),
                        Tuple.tuple(HOUR_START + 5 * HOUR, 6L, true));
        assertThat(stateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void batchExecutionWritesOnlyFinalRows() throws Exception {
        open(0, 0, null);
        harness.processElement(hourly(2, "a", "b"), HOUR_START);
        harness.processElement(hourly(1, "c"), HOUR_START);
        harness.setProcessingTime(10 * EMIT);
        harness.prepareSnapshotPreBarrier(1);
        assertThat(drain()).isEmpty();
        harness.processWatermark(new Watermark(HOUR_END - 1));
        assertThat(drain()).singleElement().satisfies(r -> {
            assertThat(r.isFinal()).isTrue();
            assertThat(r.count()).isEqualTo(3);
        });
        assertThat(harness.numEventTimeTimers()).isZero();
    }
}
