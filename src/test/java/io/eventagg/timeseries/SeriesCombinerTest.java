package io.eventagg.timeseries;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.Horizons;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.ingest.Event;
import io.eventagg.testing.HarnessOutput;
import io.eventagg.time.Granularity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The local pre-aggregation: what it emits, and when it must flush so nothing arrives too late. */
class SeriesCombinerTest {
    private static final JobDefinition JOB = JobLoader.parse("""
            name: t
            timezone: Europe/Berlin
            granularities: [minute, hour, day, week, month]
            breakdowns: [plan]
            watermark: {out_of_orderness: 1s, allowed_lateness: 10m, emit_interval: 1s}
            """);
    private static final long T0 =
            Instant.parse("2024-03-31T21:59:30Z").toEpochMilli(); // 23:59:30 in Berlin, a month end

    private OneInputStreamOperatorTestHarness<Event, SeriesPartial> harness;

    private OneInputStreamOperatorTestHarness<Event, SeriesPartial> open(int maxBuckets) throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(new SeriesCombiner(JOB, 0, 0, maxBuckets));
        harness.open();
        return harness;
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) harness.close();
    }

    private static Event event(String name, String user, long ts, String plan) {
        return new Event(
                null, name, user, ts, "production", "s-" + user, null, new String[] {plan}, new byte[] {1}, "f", -1, 1);
    }

    private List<SeriesPartial> partials() {
        return HarnessOutput.values(harness);
    }

    @Test
    void derivesEveryGranularityFromMinutesAtFlush() throws Exception {
        open(1000);
        harness.processElement(event("signup", "a", T0, "pro"), T0);
        harness.processElement(event("signup", "b", T0 + 10_000, "free"), T0 + 10_000);
        harness.processElement(
                event("signup", "a", T0 + 40_000, "pro"), T0 + 40_000); // next minute, next day, next month
        harness.processElement(event("pageview", "c", T0 + 40_000, null), T0 + 40_000);
        assertThat(partials()).as("nothing leaves before a flush").isEmpty();

        harness.prepareSnapshotPreBarrier(1);
        List<SeriesPartial> out = partials();
        List<SeriesPartial> signupMinutes = out.stream()
                .filter(p -> !p.rollup() && "signup".equals(p.event()) && p.granularity() == Granularity.MINUTE)
                .toList();
        assertThat(signupMinutes).extracting(SeriesPartial::count).containsExactlyInAnyOrder(2L, 1L);

        List<SeriesPartial> signupDays = out.stream()
                .filter(p -> !p.rollup() && "signup".equals(p.event()) && p.granularity() == Granularity.DAY)
                .toList();
        assertThat(signupDays).as("the minutes fall on two Berlin days").hasSize(2);
        SeriesPartial months = out.stream()
                .filter(p -> !p.rollup()
                        && "signup".equals(p.event())
                        && p.granularity() == Granularity.MONTH
                        && p.bucketStart()
                                == Instant.parse("2024-03-01T00:00:00+01:00").toEpochMilli())
                .findFirst()
                .orElseThrow();
        assertThat(months.count()).isEqualTo(2);
        assertThat(months.users().estimate()).isEqualTo(2);

        SeriesPartial rollupWeek = out.stream()
                .filter(p -> p.rollup() && p.granularity() == Granularity.WEEK)
                .filter(p -> p.bucketStart()
                        == Instant.parse("2024-03-25T00:00:00+01:00").toEpochMilli())
                .findFirst()
                .orElseThrow();
        assertThat(rollupWeek.count())
                .as("all events of the week (Mar 31 is a Sunday)")
                .isEqualTo(2);
        assertThat(rollupWeek.sessions().estimate()).isEqualTo(2);

        long breakdownTotal = 0;
        for (SeriesPartial p : signupMinutes) for (long c : p.breakdownCounts()) breakdownTotal += c;
        assertThat(breakdownTotal).isEqualTo(3);
        for (SeriesPartial p : out) {
            assertThat(harness.getOutput()).isNotEmpty();
            assertThat(p.bucketStart()).isEqualTo(JOB.calendar().start(p.granularity(), p.bucketStart()));
        }
        harness.getOutput().clear();
        harness.prepareSnapshotPreBarrier(2);
        assertThat(partials()).as("a flush empties the buffer").isEmpty();
    }

    @Test
    void flushesBeforeAWatermarkThatWouldCloseABufferedMinute() throws Exception {
        open(1000);
        harness.processElement(event("signup", "a", T0, "pro"), T0);
        long minuteEnd = JOB.calendar().end(Granularity.MINUTE, JOB.calendar().start(Granularity.MINUTE, T0));
        long lateness = JOB.watermark().allowedLateness().toMillis();

        harness.processWatermark(new Watermark(minuteEnd - 2 + lateness));
        assertThat(partials()).as("still safe to hold").isEmpty();

        harness.processWatermark(new Watermark(minuteEnd - 1 + lateness));
        List<Object> output = new ArrayList<>(harness.getOutput());
        assertThat(output).isNotEmpty();
        int lastRecord = -1, watermark = -1;
        for (int i = 0; i < output.size(); i++) {
            if (output.get(i) instanceof StreamRecord<?>) lastRecord = i;
            if (output.get(i) instanceof Watermark w && w.getTimestamp() == minuteEnd - 1 + lateness) watermark = i;
        }
        assertThat(lastRecord)
                .as("partials are out before the watermark that closes their minute")
                .isLessThan(watermark);
    }

    @Test
    void aWatermarkFlushesOnlyWhatItCouldCloseAndCoarseBucketsCollectEveryMinute() throws Exception {
        JobDefinition job = JobLoader.parse("""
                name: t
                granularities: [minute, hour]
                watermark: {out_of_orderness: 1s, allowed_lateness: 10m}
                """);
        harness = new OneInputStreamOperatorTestHarness<>(new SeriesCombiner(job, 0, 0, 1000));
        harness.open();
        long hour = Instant.parse("2024-03-01T10:00:00Z").toEpochMilli();
        long lateness = 600_000L;
        harness.processElement(event("signup", "a", hour + 5_000, "pro"), hour);
        harness.processElement(event("signup", "b", hour + 30 * 60_000, "pro"), hour);

        harness.processWatermark(new Watermark(hour + 60_000 - 1 + lateness));
        List<SeriesPartial> first = partials();
        assertThat(first)
                .as("the first minute of the series and of the rollup, nothing else")
                .extracting(SeriesPartial::granularity, SeriesPartial::bucketStart, SeriesPartial::count)
                .containsExactlyInAnyOrder(
                        Tuple.tuple(Granularity.MINUTE, hour, 1L), Tuple.tuple(Granularity.MINUTE, hour, 1L));
        harness.getOutput().clear();

        harness.processElement(event("signup", "a", hour + 40 * 60_000, "free"), hour);
        harness.processWatermark(new Watermark(hour + 3_600_000 - 1 + lateness));
        List<SeriesPartial> rest = partials();
        SeriesPartial signupHour = rest.stream()
                .filter(p -> !p.rollup() && p.granularity() == Granularity.HOUR)
                .findFirst()
                .orElseThrow();
        assertThat(signupHour.count())
                .as("one hour partial with all three events")
                .isEqualTo(3);
        assertThat(signupHour.users().estimate()).isEqualTo(2);
        assertThat(rest)
                .filteredOn(p -> !p.rollup() && p.granularity() == Granularity.MINUTE)
                .hasSize(2);
        assertThat(rest).filteredOn(p -> p.granularity() == Granularity.HOUR).hasSize(2);
        assertThat(((SeriesCombiner) harness.getOperator()).buffered()).isZero();
    }

    @Test
    void coarserBucketsAreFedByCascadeIntoTheNextGranularitiesTheyNestIn() {
        Granularity m = Granularity.MINUTE,
                h = Granularity.HOUR,
                d = Granularity.DAY,
                w = Granularity.WEEK,
                mo = Granularity.MONTH;
        assertThat(SeriesCombiner.parents(new Granularity[] {m, h, d, w, mo}))
                .isDeepEqualTo(new int[][] {{1}, {2}, {3, 4}, {}, {}});
        assertThat(SeriesCombiner.parents(new Granularity[] {m, w, mo})).isDeepEqualTo(new int[][] {{1, 2}, {}, {}});
        assertThat(SeriesCombiner.parents(new Granularity[] {m, d, mo})).isDeepEqualTo(new int[][] {{1}, {2}, {}});
        assertThat(SeriesCombiner.parents(new Granularity[] {m})).isDeepEqualTo(new int[][] {{}});
    }

    @Test
    void eventsAreCountedAtTheCoarsestLevelThatFeedsEveryGranularityOfTheJob() {
        Granularity m = Granularity.MINUTE,
                h = Granularity.HOUR,
                d = Granularity.DAY,
                w = Granularity.WEEK,
                mo = Granularity.MONTH;
        assertThat(SeriesCombiner.finestLevel(List.of(m, h, d, w, mo))).isEqualTo(m);
        assertThat(SeriesCombiner.finestLevel(List.of(h, d))).isEqualTo(h);
        assertThat(SeriesCombiner.finestLevel(List.of(h, w, mo))).isEqualTo(h);
        assertThat(SeriesCombiner.finestLevel(List.of(d, w, mo))).isEqualTo(d);
        assertThat(SeriesCombiner.finestLevel(List.of(w, mo)))
                .as("weeks do not nest in months: both from days")
                .isEqualTo(d);
        assertThat(SeriesCombiner.finestLevel(List.of(mo))).isEqualTo(d);
        assertThat(SeriesCombiner.finestLevel(List.of(w))).isEqualTo(d);
    }

    @Test
    void withoutMinutesItHoldsOneAccumulatorPerHourAndEmitsWhatAMinuteLevelWould() throws Exception {
        String common = """
                name: t
                timezone: Europe/Berlin
                breakdowns: [plan]
                watermark: {out_of_orderness: 1s, allowed_lateness: 10m}
                """;
        JobDefinition coarse = JobLoader.parse(common + "granularities: [hour, day, week, month]\n");
        JobDefinition withMinutes = JobLoader.parse(common + "granularities: [minute, hour, day, week, month]\n");
        // Three days around the spring-forward change (Berlin, 2024-03-31), events in many minutes.
        Random random = new Random(11);
        long start = Instant.parse("2024-03-29T20:00:00Z").toEpochMilli();
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            long ts = start + (long) (random.nextDouble() * 3 * 86_400_000L);
            events.add(event(
                    random.nextBoolean() ? "signup" : "pageview",
                    "u" + random.nextInt(400),
                    ts,
                    random.nextInt(4) == 0 ? null : "p" + random.nextInt(3)));
        }
        events.sort(Comparator.comparingLong(Event::timestamp));

        harness = new OneInputStreamOperatorTestHarness<>(new SeriesCombiner(coarse, 0, 0, 1_000_000));
        harness.open();
        // Two events in different minutes of one hour: one hour accumulator per series and rollup.
        long hour = Instant.parse("2024-03-01T10:00:00Z").toEpochMilli();
        harness.processElement(event("signup", "a", hour + 60_000, "pro"), hour);
        harness.processElement(event("signup", "b", hour + 30 * 60_000, "pro"), hour);
        assertThat(((SeriesCombiner) harness.getOperator()).buffered())
                .as("signup hour, rollup hour")
                .isEqualTo(2);
        harness.getOutput().clear();
        harness.close();

        List<String> fromHours = combineAll(coarse, events);
        List<String> fromMinutes = combineAll(withMinutes, events).stream()
                .filter(s -> !s.startsWith("MINUTE"))
                .toList();
        assertThat(fromHours)
                .as("partials of hours, days, weeks and months")
                .isNotEmpty()
                .containsExactlyInAnyOrderElementsOf(fromMinutes);
    }

    /** Every partial of one combiner run over {@code events}, flushed only at the end, as comparable text. */
    private List<String> combineAll(JobDefinition job, List<Event> events) throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(new SeriesCombiner(job, 0, 0, 1_000_000));
        harness.open();
        for (Event e : events) harness.processElement(e, e.timestamp());
        harness.endInput();
        List<String> out = new ArrayList<>();
        for (SeriesPartial p : partials()) {
            TreeMap<String, Long> breakdown = new TreeMap<>();
            if (p.breakdownValues() != null) {
                for (int i = 0; i < p.breakdownValues().length; i++)
                    breakdown.put(p.breakdownKeys()[i] + "=" + p.breakdownValues()[i], p.breakdownCounts()[i]);
            }
            out.add(p.granularity() + " " + p.rollup() + " " + p.event() + " " + Instant.ofEpochMilli(p.bucketStart())
                    + " n=" + p.count()
                    + " users=" + p.users().estimate() + " sessions="
                    + (p.sessions() == null ? "-" : p.sessions().estimate())
                    + " " + breakdown + " overflow=" + Arrays.toString(p.breakdownOverflow()));
        }
        harness.close();
        harness = null;
        return out;
    }

    @Test
    void inStreamingItFlushesALeadBeforeEveryEmissionTick() throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(new SeriesCombiner(JOB, 10_000, 1_000, 1000));
        harness.setProcessingTime(0);
        harness.open();
        harness.processElement(event("signup", "a", T0, "pro"), T0);
        harness.setProcessingTime(8_999);
        assertThat(partials()).isEmpty();
        harness.setProcessingTime(9_000);
        assertThat(partials())
                .as("flushed one second before the emission tick at 10 s")
                .isNotEmpty();
        harness.getOutput().clear();
        harness.processElement(event("signup", "b", T0, "pro"), T0);
        harness.setProcessingTime(18_999);
        assertThat(partials()).isEmpty();
        harness.setProcessingTime(19_000);
        assertThat(partials()).isNotEmpty();
    }

    @Test
    void flushesWhenHoldingTooManyBucketsAndAtEndOfInput() throws Exception {
        open(4);
        for (int i = 0; i < 2; i++) harness.processElement(event("e" + i, "u", T0, null), T0);
        assertThat(partials()).as("2 series minutes + 1 rollup minute").isEmpty();
        harness.processElement(event("e2", "u", T0, null), T0); // the 4th bucket reaches the limit
        assertThat(partials()).isNotEmpty();
        harness.getOutput().clear();
        harness.processElement(event("late", "u", T0, null), T0);
        harness.endInput();
        assertThat(partials()).isNotEmpty();
    }

    @Test
    void eventsFilterLimitsSeriesButNotTheRollup() throws Exception {
        JobDefinition onlySignups = JobLoader.parse("""
                name: t
                events: [signup]
                granularities: [day]
                """);
        harness = new OneInputStreamOperatorTestHarness<>(new SeriesCombiner(onlySignups, 0, 0, 100));
        harness.open();
        harness.processElement(event("pageview", "a", T0, null), T0);
        harness.processElement(event("signup", "b", T0, null), T0);
        harness.endInput();
        List<SeriesPartial> out = partials();
        assertThat(out)
                .filteredOn(p -> !p.rollup())
                .extracting(SeriesPartial::event)
                .containsExactly("signup");
        assertThat(out)
                .filteredOn(SeriesPartial::rollup)
                .extracting(SeriesPartial::count)
                .containsExactly(2L);
    }

    @Test
    void entryLevelsFollowTheHorizons() {
        Granularity m = Granularity.MINUTE, h = Granularity.HOUR, d = Granularity.DAY;
        Granularity w = Granularity.WEEK, mo = Granularity.MONTH;
        Horizons minute = JobLoader.parse("name: t\nhorizons: {minute: 7d}\n").horizons();
        Horizons both =
                JobLoader.parse("name: t\nhorizons: {minute: 7d, hour: 30d}\n").horizons();
        assertThat(SeriesCombiner.entryGranularities(List.of(m, h, d, w, mo), Horizons.none()))
                .containsExactly(m);
        assertThat(SeriesCombiner.entryGranularities(List.of(m, h, d, w, mo), minute))
                .containsExactly(m, h);
        assertThat(SeriesCombiner.entryGranularities(List.of(m, h, d, w, mo), both))
                .containsExactly(m, h, d);
        assertThat(SeriesCombiner.entryGranularities(List.of(m, w, mo), minute))
                .as("without hours and days, old events are counted per day, which feeds weeks and months")
                .containsExactly(m, d);
        assertThat(SeriesCombiner.entryGranularities(List.of(m), minute)).containsExactly(m);
    }

    /**
     * A minute horizon on the operator's clock (here the harness's processing time): old events are
     * counted per hour only, recent ones per minute too, and the clock is read again as it moves.
     */
    @Test
    void eventsBeyondTheMinuteHorizonCountInHoursOnly() throws Exception {
        JobDefinition job = JobLoader.parse("""
                name: t
                granularities: [minute, hour, day]
                horizons: {minute: 7d}
                watermark: {out_of_orderness: 1s, allowed_lateness: 10m}
                """);
        harness = new OneInputStreamOperatorTestHarness<>(new SeriesCombiner(job, 0, 0, 1_000_000));
        long now = Instant.parse("2024-03-20T12:00:30Z").toEpochMilli();
        harness.setProcessingTime(now);
        harness.open();
        long oldTs = now - 8 * 86_400_000L; // 2024-03-12T12:00:30
        long edge = Instant.parse("2024-03-13T12:00:00Z").toEpochMilli(); // the oldest minute kept
        harness.processElement(event("signup", "a", oldTs, "pro"), oldTs);
        harness.processElement(event("signup", "b", edge - 1, "pro"), edge);
        harness.processElement(event("signup", "c", edge, "pro"), edge);
        harness.processElement(event("signup", "d", now, "pro"), now);
        harness.processWatermark(new Watermark(Long.MAX_VALUE));
        List<SeriesPartial> out = partials().stream().filter(p -> !p.rollup()).toList();
        assertThat(out.stream().filter(p -> p.granularity() == Granularity.MINUTE))
                .extracting(SeriesPartial::bucketStart)
                .containsExactlyInAnyOrder(edge, now - 30_000);
        assertThat(out.stream()
                        .filter(p -> p.granularity() == Granularity.HOUR)
                        .mapToLong(SeriesPartial::count)
                        .sum())
                .as("every event in an hour")
                .isEqualTo(4);
        assertThat(out.stream()
                        .filter(p -> p.granularity() == Granularity.DAY)
                        .mapToLong(SeriesPartial::count)
                        .sum())
                .isEqualTo(4);
        harness.getOutput().clear();

        // A day later the same minute is beyond the horizon (the clock is read again at every
        // flush: each emission tick and checkpoint).
        harness.setProcessingTime(now + 86_400_000L);
        harness.prepareSnapshotPreBarrier(1);
        harness.processElement(event("signup", "e", edge, "pro"), edge);
        harness.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(partials())
                .extracting(SeriesPartial::granularity)
                .doesNotContain(Granularity.MINUTE)
                .contains(Granularity.HOUR, Granularity.DAY);
    }

    @Test
    void aFixedClockIsNotTheOperatorsOne() throws Exception {
        JobDefinition job = JobLoader.parse("name: t\ngranularities: [minute, hour]\nhorizons: {minute: 1h}\n");
        long now = Instant.parse("2024-03-20T12:00:00Z").toEpochMilli();
        harness = new OneInputStreamOperatorTestHarness<>(new SeriesCombiner(job, 0, 0, 1_000_000, now));
        harness.setProcessingTime(now + 86_400_000L);
        harness.open();
        harness.processElement(event("signup", "a", now - 60_000, "pro"), now);
        harness.processElement(event("signup", "b", now - 7_200_000, "pro"), now);
        harness.processWatermark(new Watermark(Long.MAX_VALUE));
        assertThat(partials().stream().filter(p -> !p.rollup() && p.granularity() == Granularity.MINUTE))
                .extracting(SeriesPartial::bucketStart)
                .containsExactly(now - 60_000);
    }
}
