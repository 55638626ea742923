package io.eventagg.stickiness;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.testing.HarnessBackend;
import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The stickiness tracker in Flink's keyed test harness, on the heap and on RocksDB: a day counts
 * once however many events it has, a user's state stays bounded however long their history (a
 * user with 50,000 events over 90 days), and everything is gone once the periods close.
 */
@ParameterizedClass
@EnumSource(HarnessBackend.class)
class StickinessOperatorsTest {
    @Parameter
    HarnessBackend backend;

    static final BucketCalendar UTC = BucketCalendar.of("UTC");
    static final long DAY = 86_400_000L;
    static final long START = 1_704_067_200_000L; // Monday 2024-01-01
    static final long LATENESS = 3_600_000L;

    static ActiveDay event(long ts) {
        return new ActiveDay(42L, "p", ts);
    }

    KeyedOneInputStreamOperatorTestHarness<Long, ActiveDay, StickinessDelta> tracker() throws Exception {
        var h = backend.on(new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(
                        new StickinessTracker(List.of(Granularity.WEEK, Granularity.MONTH), UTC, LATENESS, false)),
                ActiveDay::userKey,
                Types.LONG));
        h.open();
        return h;
    }

    @Test
    void aHeavyUsersStateStaysBounded() throws Exception {
        try (var h = tracker()) {
            Random r = new Random(5);
            long most = 0;
            List<StickinessDelta> deltas = new ArrayList<>();
            for (int day = 0; day < 90; day++) {
                for (int i = 0; i < 556; i++) {
                    long ts = START + day * DAY + r.nextInt((int) DAY);
                    h.processElement(new StreamRecord<>(event(ts), ts));
                }
                h.processWatermark(START + (day + 1) * DAY - 1);
                most = Math.max(most, HarnessBackend.stateEntries(h, "stickiness-days"));
                deltas.addAll(h.extractOutputValues());
                h.getOutput().clear();
            }
            assertThat(most).as("one user, one state entry").isEqualTo(1);
            // One delta per active day and period kind: 90 days, each in a week and in a month.
            assertThat(deltas).hasSize(180);
            assertThat(deltas).filteredOn(d -> d.period() == 0).allMatch(d -> d.to() == d.from() + 1 && d.to() <= 7);
            h.processWatermark(Long.MAX_VALUE);
            assertThat(HarnessBackend.stateEntries(h, "stickiness-days")).isZero();
        }
    }

    @Test
    void aLateEventWithinTheLatenessStillCountsItsDay() throws Exception {
        try (var h = tracker()) {
            h.processElement(new StreamRecord<>(event(START + 2 * DAY), START + 2 * DAY));
            // The week of January 1 ends on the 8th; its events count until an hour after.
            h.processWatermark(START + 7 * DAY + LATENESS / 2);
            h.processElement(new StreamRecord<>(event(START + 6 * DAY), START + 6 * DAY));
            List<StickinessDelta> out = h.extractOutputValues();
            assertThat(out).contains(new StickinessDelta("p", 0, START, 1, 2));
            h.processWatermark(START + 7 * DAY + LATENESS);
            // The week is forgotten; the month is still open.
            assertThat(HarnessBackend.stateEntries(h, "stickiness-days")).isEqualTo(1);
        }
    }
}
