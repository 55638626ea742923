package io.eventagg.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobLoader;
import io.eventagg.config.RetentionDefinition;
import io.eventagg.testing.HarnessOutput;
import io.eventagg.time.BucketCalendar;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Rows written before a failure and rows of the replay after the restore share the table (the sink
 * is at-least-once; the newest version per key wins). After a restore the records since the last
 * checkpoint are replayed, and records from different Kafka partitions may arrive in another order
 * than before. A retention cohort's version counted the deltas applied to it, and how many deltas
 * the same events produce depends on their arrival order (a return that arrives before its start
 * event is folded into the start's delta; after it, it is a retraction and an addition). A replay in
 * the "cheaper" order could therefore write its final row with a lower version than an open row
 * written before the failure, and the stale open row won for good. The final row must win.
 */
class RetentionReplayVersionsTest {
    private static final BucketCalendar UTC = BucketCalendar.of("UTC");
    private static final long DAY = 86_400_000L;
    private static final long LATENESS = 10 * DAY;

    private static long at(String date, int hour) {
        return LocalDate.parse(date).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() + hour * 3_600_000L;
    }

    /** One attempt: the events in this arrival order through tracker and counter; the counter's rows. */
    private static List<RetentionRow> attempt(
            List<RetentionDefinition> defs, List<RetentionEvent> events, boolean closeCohorts) throws Exception {
        var tracker = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new RetentionTracker<String>(defs, UTC, LATENESS, false)),
                RetentionEvent::userKey,
                Types.STRING);
        var counter = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new CohortCounter(defs, UTC, LATENESS, 1000, 0)),
                RetentionDelta::cohortKey,
                Types.STRING);
        tracker.open();
        counter.open();
        counter.setProcessingTime(0);
        for (RetentionEvent e : events) tracker.processElement(e, e.timestamp());
        for (RetentionDelta d : HarnessOutput.<RetentionDelta>values(tracker))
            counter.processElement(d, d.cohortStart());
        counter.setProcessingTime(1000); // an open row, as written every emit interval
        if (closeCohorts) counter.processWatermark(new Watermark(at("2024-03-01", 0) + LATENESS));
        List<RetentionRow> rows = HarnessOutput.values(counter);
        tracker.close();
        counter.close();
        return rows;
    }

    @Test
    void theReplaysFinalRowWinsOverOpenRowsWrittenBeforeTheFailure() throws Exception {
        List<RetentionDefinition> defs = JobLoader.parse("""
                name: t
                retention:
                  - {name: r, start_event: s, return_event: b, cohort_period: week, periods: 4}
                """).retention();
        long start = at("2024-01-02", 10);
        // Before the failure: three users sign up and come back a second later, in that order.
        List<RetentionEvent> before = new ArrayList<>();
        for (String u : List.of("u1", "u2", "u3")) {
            before.add(new RetentionEvent("p", u, start, 1, 0));
            before.add(new RetentionEvent("p", u, start + 1000, 0, 1));
        }
        // The replay: the same events, each return ahead of its sign-up (it came from another
        // partition), then u1 comes back a week later; then the cohort closes.
        List<RetentionEvent> replay = new ArrayList<>();
        for (String u : List.of("u1", "u2", "u3")) {
            replay.add(new RetentionEvent("p", u, start + 1000, 0, 1));
            replay.add(new RetentionEvent("p", u, start, 1, 0));
        }
        replay.add(new RetentionEvent("p", "u1", start + 7 * DAY, 0, 1));

        List<RetentionRow> written = attempt(defs, before, false);
        List<RetentionRow> replayed = attempt(defs, replay, true);
        RetentionRow stale = written.get(written.size() - 1);
        RetentionRow fin = replayed.get(replayed.size() - 1);
        assertThat(stale.isFinal()).isFalse();
        assertThat(fin.isFinal()).isTrue();
        assertThat(fin.on()).as("the complete value: u1 came back in week 1").containsExactly(3, 1, 0, 0, 0);
        assertThat(stale.on()).as("what was written before the failure").containsExactly(3, 0, 0, 0, 0);
        assertThat(fin.version())
                .as("the final row of the replay replaces the open row written before the failure")
                .isGreaterThan(stale.version());
    }
}
