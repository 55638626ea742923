package io.eventagg.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobLoader;
import io.eventagg.config.RetentionDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.ingest.Event;
import io.eventagg.testing.HarnessOutput;
import io.eventagg.time.BucketCalendar;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Batch runs sum the retention deltas per cohort and mask before the cohort shuffle, and key users by
 * a fixed-length hash: the cohort counter must end with the same rows as from the deltas one by one,
 * and the batch graph must have the fixed-length key (the streaming graph the text key of its
 * savepoints).
 */
class CohortDeltaCombinerTest {
    private static final BucketCalendar UTC = BucketCalendar.of("UTC");
    private static final long DAY = 86_400_000L;

    private static List<RetentionDefinition> defs() {
        return JobLoader.parse("""
                name: t
                retention:
                  - {name: weekly, start_event: s, return_event: b, cohort_period: day, periods: 3, type: first_time}
                  - {name: daily, start_event: s, return_event: b, cohort_period: day, periods: 2, type: recurring}
                """).retention();
    }

    /** Random deltas over a few cohorts, with retractions and net-zero (cohort, mask) pairs. */
    private static List<RetentionDelta> deltas(long seed, int n) {
        Random r = new Random(seed);
        List<RetentionDelta> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int def = r.nextInt(2);
            String env = r.nextBoolean() ? "production" : "staging";
            long cohort = r.nextInt(4) * DAY;
            long mask = r.nextInt(1 << (def == 0 ? 4 : 3));
            out.add(new RetentionDelta(def, env, cohort, +1, mask));
            if (r.nextInt(3) == 0) out.add(new RetentionDelta(def, env, cohort, -1, mask));
        }
        return out;
    }

    private static List<RetentionDelta> combine(List<RetentionDelta> in, int maxEntries) throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new CohortDeltaCombiner(maxEntries));
        h.open();
        for (RetentionDelta d : in) h.processElement(new StreamRecord<>(d));
        h.endInput();
        List<RetentionDelta> out = HarnessOutput.values(h);
        h.close();
        return out;
    }

    /** The final row per cohort of a cohort counter fed {@code in} (batch: no lateness, no ticks). */
    private static List<String> finalRows(List<RetentionDelta> in) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new CohortCounter(defs(), UTC, 0, 0, 0)),
                RetentionDelta::cohortKey,
                Types.STRING);
        h.open();
        for (RetentionDelta d : in) h.processElement(new StreamRecord<>(d));
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        List<String> rows = new ArrayList<>();
        for (RetentionRow r : HarnessOutput.<RetentionRow>values(h)) {
            rows.add(r.retention() + "/" + r.environment() + "/" + r.cohortStart() + " size=" + r.cohortSize() + " on="
                    + Arrays.toString(r.on()) + " onOrAfter=" + Arrays.toString(r.onOrAfter())
                    + " final=" + r.isFinal()
                    + " version=" + r.version());
        }
        h.close();
        rows.sort(null);
        return rows;
    }

    @Test
    void sumsPerCohortAndMaskKeepingNetZeroSums() throws Exception {
        List<RetentionDelta> in = List.of(
                new RetentionDelta(0, "p", 0, +1, 0b01), new RetentionDelta(0, "p", 0, +1, 0b01),
                new RetentionDelta(0, "p", 0, -1, 0b01), new RetentionDelta(0, "p", 0, +1, 0b11),
                new RetentionDelta(0, "p", DAY, +1, 0b00), new RetentionDelta(0, "p", DAY, -1, 0b00));
        List<RetentionDelta> out = combine(in, 1000);
        assertThat(out)
                .containsExactlyInAnyOrder(
                        new RetentionDelta(0, "p", 0, 1, 0b01, 3),
                        new RetentionDelta(0, "p", 0, 1, 0b11, 1),
                        new RetentionDelta(0, "p", DAY, 0, 0b00, 2));
    }

    @Test
    void cohortCounterEndsWithTheSameRowsFromSums() throws Exception {
        List<RetentionDelta> in = deltas(7, 5000);
        List<RetentionDelta> summed = combine(in, 1000);
        assertThat(summed.size()).isLessThan(in.size() / 10);
        assertThat(finalRows(summed)).isEqualTo(finalRows(in)).isNotEmpty();
    }

    @Test
    void emitsWhatItHoldsAtItsCapWithoutChangingTheCounts() throws Exception {
        List<RetentionDelta> in = deltas(11, 3000);
        List<RetentionDelta> capped = combine(in, 5);
        assertThat(capped.size()).isGreaterThan(combine(in, 1000).size());
        assertThat(finalRows(capped)).isEqualTo(finalRows(in));
    }

    @Test
    void batchKeysUsersByAFixedLengthHashStreamingByTheirText() {
        String job = """
                name: t
                retention:
                  - {name: weekly, start_event: s, return_event: b, cohort_period: week, periods: 4, type: first_time}
                """;
        assertThat(usersKeySerializer(job, RunOptions.batchDefaults()).getLength())
                .isEqualTo(Long.BYTES);
        assertThat(usersKeySerializer(job, RunOptions.streamingDefaults()).createInstance())
                .isInstanceOf(String.class);
    }

    private static TypeSerializer<?> usersKeySerializer(String yaml, RunOptions run) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        var events = env.fromData(new Event("u", "s", "d", 0, "p", null, null, new String[0], new byte[0], "f", -1, 1))
                .returns(TypeInformation.of(Event.class));
        RetentionPipeline.define(events, JobLoader.parse(yaml), run, 0, 0).sinkTo(new DiscardingSink<>());
        StreamGraph graph = env.getStreamGraph();
        StreamNode users = graph.getStreamNodes().stream()
                .filter(n -> n.getOperatorName().equals("retention users"))
                .findFirst()
                .orElseThrow();
        return users.getStateKeySerializer();
    }
}
