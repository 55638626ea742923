package io.eventagg.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Collection;
import java.util.SplittableRandom;
import org.apache.flink.streaming.api.windowing.triggers.EventTimeTrigger;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CalendarWindowAssignerTest {

    private static final String[] ZONES = {
        "UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham"
    };

    @ParameterizedTest
    @EnumSource(Granularity.class)
    void assignsExactlyOneWindowThatContainsTheTimestampAndMatchesTheCalendar(Granularity g) {
        SplittableRandom random = new SplittableRandom(42 + g.ordinal());
        long from = Instant.parse("2023-01-01T00:00:00Z").toEpochMilli();
        long to = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
        for (String zone : ZONES) {
            CalendarWindowAssigner assigner = CalendarWindowAssigner.of(g, zone);
            BucketCalendar calendar = BucketCalendar.of(zone);
            for (int i = 0; i < 2_000; i++) {
                long ts = random.nextLong(from, to);
                Collection<TimeWindow> windows = assigner.assignWindows("event", ts, null);
                assertThat(windows).hasSize(1);
                TimeWindow w = windows.iterator().next();
                assertThat(w.getStart()).as("%s %s %s", g, zone, Instant.ofEpochMilli(ts))
                        .isLessThanOrEqualTo(ts)
                        .isEqualTo(calendar.start(g, ts));
                assertThat(w.getEnd()).isGreaterThan(ts).isEqualTo(calendar.end(g, w.getStart()));
                assertThat(w.maxTimestamp()).isEqualTo(w.getEnd() - 1);
            }
        }
    }

    @Test
    void dstDayWindowIs23HoursAndNeighboursTouch() {
        ZoneId ny = ZoneId.of("America/New_York");
        CalendarWindowAssigner days = CalendarWindowAssigner.of(Granularity.DAY, "America/New_York");
        long noon = LocalDateTime.parse("2024-03-10T12:00").atZone(ny).toInstant().toEpochMilli();
        TimeWindow w = days.assignWindows(null, noon, null).iterator().next();
        assertThat(w.getStart()).isEqualTo(LocalDateTime.parse("2024-03-10T00:00").atZone(ny).toInstant().toEpochMilli());
        assertThat(w.getEnd()).isEqualTo(LocalDateTime.parse("2024-03-11T00:00").atZone(ny).toInstant().toEpochMilli());
        assertThat(w.getEnd() - w.getStart()).isEqualTo(23 * 3_600_000L);
        TimeWindow next = days.assignWindows(null, w.getEnd(), null).iterator().next();
        assertThat(next.getStart()).isEqualTo(w.getEnd());
        TimeWindow last = days.assignWindows(null, w.getEnd() - 1, null).iterator().next();
        assertThat(last).isEqualTo(w);
    }

    @ParameterizedTest
    @EnumSource(Granularity.class)
    void rejectsRecordsWithoutATimestamp(Granularity g) {
        CalendarWindowAssigner assigner = CalendarWindowAssigner.of(g, "Europe/Berlin");
        assertThatThrownBy(() -> assigner.assignWindows("event", Long.MIN_VALUE, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("timestamp");
    }

    @Test
    void isAnEventTimeAssignerWithTheEventTimeTrigger() {
        CalendarWindowAssigner assigner = CalendarWindowAssigner.of(Granularity.WEEK, "Asia/Kolkata");
        assertThat(assigner.isEventTime()).isTrue();
        assertThat(assigner.getDefaultTrigger()).isInstanceOf(EventTimeTrigger.class);
        assertThat(assigner.getWindowSerializer(null)).isInstanceOf(TimeWindow.Serializer.class);
        assertThat(assigner.granularity()).isEqualTo(Granularity.WEEK);
        assertThat(assigner.toString()).contains("week").contains("Asia/Kolkata");
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        CalendarWindowAssigner assigner = CalendarWindowAssigner.of(Granularity.HOUR, "Australia/Lord_Howe");
        CalendarWindowAssigner copy = org.apache.flink.util.InstantiationUtil.clone(assigner);
        long ts = Instant.parse("2024-04-06T15:10:00Z").toEpochMilli();
        assertThat(copy.assignWindows(null, ts, null)).isEqualTo(assigner.assignWindows(null, ts, null));
    }
}
