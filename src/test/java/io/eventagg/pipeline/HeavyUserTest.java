package io.eventagg.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.generate.EventGenerator;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.testing.CollectingOutputs;
import io.eventagg.testing.FunnelTables;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.RefEvent;
import io.eventagg.testing.RefJobFunnels;
import io.eventagg.testing.RefJobRetention;
import io.eventagg.testing.RefParser;
import io.eventagg.testing.RetentionTables;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.TestJobs;
import io.eventagg.testing.Tiers;
import io.eventagg.testing.Watermarks;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heavy users through the whole job at parallelism 2, batch and streaming: 2,000 ordinary users
 * over a week, a bot with 3,000 events a day (a fifth of them pricing page views, the funnels'
 * first step), and a power user with 50,000 events, 10,000 of them pricing page views inside one
 * seven-day conversion window, who also signs up, cancels, purchases, logs in and onboards
 * thousands of times in between (every funnel step, exclusions and retention starts and returns).
 * Funnels and retention must equal the reference; the work is asserted through the metrics an
 * operator would watch (not timed): CEP never holds more partial matches for one event than steps
 * × entry days in a window, whatever the heavy users' histories, and the gate's attempts likewise.
 */
@Tag(Tiers.SLOW)
@ExtendWith(SharedCluster.class)
class HeavyUserTest {

    static final Instant START = Instant.parse("2024-03-06T00:00:00Z");
    static final int DAYS = 7;

    @TempDir
    static Path dir;

    static Path input;
    static RefParser.Parsed parsed;

    @BeforeAll
    static void generate() throws Exception {
        Path base = dir.resolve("base.jsonl");
        new EventGenerator(2000, DAYS, 13, START, 0.0, 1.0, EventGenerator.Options.NONE.withBots(1, 3000)).write(base);
        input = dir.resolve("events.jsonl");
        mergeByArrival(base, powerUser(new SplittableRandom(99)), input);
        parsed = RefParser.read(input, "production");
        long pricing = parsed.events().stream()
                .filter(e -> e.distinctId().equals("power-1")
                        && RefJobFunnels.pricing().test(e))
                .count();
        assertThat(pricing)
                .as("step-1 events of the power user, all inside one seven-day window")
                .isEqualTo(10_000);
    }

    /**
     * 50,000 events of one user over the week: 10,000 pricing views, thousands of signups,
     * purchases, cancels, logins and onboarding steps, other page views, in random order; many share
     * a millisecond. Each line with its arrival time: a few seconds after the event.
     */
    static List<Map.Entry<Long, String>> powerUser(SplittableRandom r) {
        List<Map.Entry<Long, String>> lines = new ArrayList<>();
        List<String[]> kinds = new ArrayList<>();
        add(kinds, 10_000, "pageview", "\"path\":\"/pricing\"");
        add(kinds, 1_500, "signup", null);
        add(kinds, 400, "purchase", "\"amount\":29");
        add(kinds, 150, "cancel", null);
        add(kinds, 900, "login", null);
        add(kinds, 300, "created_project", null);
        add(kinds, 200, "invited_teammate", null);
        add(kinds, 50_000 - kinds.size(), "pageview", "\"path\":\"/docs\"");
        long span = DAYS * 86_400_000L - 7_200_000L;
        for (int i = 0; i < kinds.size(); i++) {
            String[] k = kinds.get(i);
            long ts = START.toEpochMilli() + r.nextLong(span);
            if (r.nextInt(4) == 0) ts -= ts % 1000;
            lines.add(Map.entry(
                    ts + r.nextLong(5_000),
                    "{\"uuid\":\"p-" + i + "\",\"event\":\"" + k[0]
                            + "\",\"distinct_id\":\"power-1\",\"timestamp\":" + ts + ",\"properties\":{\"plan\":\"pro\""
                            + (k[1] == null ? "" : "," + k[1]) + "}}"));
        }
        lines.sort(Map.Entry.comparingByKey());
        return lines;
    }

    /**
     * The generated file (in arrival order) with the extra lines put where they arrive: before the
     * first generated line whose event is later than their arrival.
     */
    static void mergeByArrival(Path base, List<Map.Entry<Long, String>> extra, Path out) throws Exception {
        List<String> lines = Files.readAllLines(base, StandardCharsets.UTF_8);
        List<RefEvent> events = RefParser.read(base, "production").events();
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            int next = 0;
            for (int i = 0; i < lines.size(); i++) {
                long ts = events.get(i).timestamp();
                while (next < extra.size() && extra.get(next).getKey() <= ts)
                    w.write(extra.get(next++).getValue() + "\n");
                w.write(lines.get(i) + "\n");
            }
            while (next < extra.size()) w.write(extra.get(next++).getValue() + "\n");
        }
    }

    static void add(List<String[]> kinds, int n, String event, String property) {
        for (int i = 0; i < n; i++) kinds.add(new String[] {event, property});
    }

    @Test
    void batchMatchesReferenceWithBoundedWork() throws Exception {
        JobDefinition job = TestJobs.full("heavy_batch", "UTC");
        CollectingOutputs out = new CollectingOutputs();
        Pipelines.Counts c = Pipelines.run(
                job, List.of(input), RunOptions.batchDefaults(), IngestWatermarks.strategy(job.watermark()), out, 2);
        assertThat(c.aggregated()).isEqualTo(parsed.events().size());
        FunnelTables.assertMatchReference(out.funnelRows(), job.timezone(), parsed.events());
        RetentionTables.assertMatchReference(
                out.retentionCohortRows(), out.retentionPeriodRows(), job.timezone(), parsed.events());
        out.clear();
        assertBoundedWork(job, c.job());
    }

    @Test
    void streamingMatchesReferenceWithBoundedWork() throws Exception {
        JobDefinition job = TestJobs.full("heavy_stream", "UTC");
        CollectingOutputs out = new CollectingOutputs();
        Pipelines.Counts c = Pipelines.run(
                job,
                List.of(input),
                RunOptions.streamingDefaults(),
                Watermarks.perEvent(job.watermark().outOfOrderness()),
                out,
                2);
        List<RefEvent> onTime = Watermarks.onTimeUnderPerEvent(
                parsed.events(),
                job.watermark().outOfOrderness(),
                job.watermark().allowedLateness());
        assertThat(c.late()).isEqualTo(parsed.events().size() - onTime.size());
        FunnelTables.assertMatchReference(out.funnelRows(), job.timezone(), onTime);
        RetentionTables.assertMatchReference(
                out.retentionCohortRows(), out.retentionPeriodRows(), job.timezone(), onTime);
        out.clear();
        assertBoundedWork(job, c.job());
    }

    /** The metrics of every funnel's gate and CEP operator, and of the retention tracker. */
    static void assertBoundedWork(JobDefinition job, JobID id) {
        for (int f = 0; f < job.funnels().size(); f++) {
            var def = job.funnels().get(f);
            int steps = def.steps().size();
            // Entry days a window can hold open: its length in days, plus the day it starts in.
            long days = (def.conversionWindowMillis() + 86_400_000L - 1) / 86_400_000L + 1;
            String name = "funnel-" + def.name();
            long cepMax = max(id, name + " reached steps", "maxPartialMatchesPerEvent");
            long gateMax = max(id, name + " gate", "maxUserOpenAttempts");
            assertThat(cepMax)
                    .as(name + ": CEP's partial matches at one event, at most steps x entry days")
                    .isPositive()
                    .isLessThanOrEqualTo(days * steps);
            assertThat(gateMax)
                    .as(name + ": the gate's attempts for one user")
                    .isPositive()
                    .isLessThanOrEqualTo(days * (steps - 1));
            assertThat(max(id, name + " gate", "waitingEvents"))
                    .as(name + ": nothing left waiting at the end")
                    .isZero();
        }
        for (String r : RefJobRetention.NAMES) {
            // Every user's state ends with the input (the last watermark passes every period).
            assertThat(sum(id, "retention users", r + ".trackedUsers"))
                    .as(r + ": users tracked at the end of the run")
                    .isZero();
        }
    }

    /** The values of a gauge of one operator of the job, one per subtask (found by group, as identifiers may repeat). */
    static List<Long> values(JobID id, String operator, String gauge) {
        List<Long> values = new ArrayList<>();
        for (Map.Entry<MetricGroup, Map<String, Metric>> g :
                SharedCluster.metrics().getMetricsByGroup().entrySet()) {
            for (Map.Entry<String, Metric> m : g.getValue().entrySet()) {
                String identifier = g.getKey().getMetricIdentifier(m.getKey());
                if (g.getKey().getAllVariables().get("<job_id>") != null
                        && g.getKey().getAllVariables().get("<job_id>").equals(id.toString())
                        && identifier.endsWith("." + gauge)
                        && identifier.contains("." + operator + ".")) {
                    values.add(((Number) ((Gauge<?>) m.getValue()).getValue()).longValue());
                }
            }
        }
        // Batch runs may give an operator behind a forward exchange fewer subtasks (adaptive parallelism).
        assertThat(values.size())
                .as(operator + " reports " + gauge + " for each subtask")
                .isBetween(1, 2);
        return values;
    }

    static long max(JobID id, String operator, String gauge) {
        return values(id, operator, gauge).stream()
                .mapToLong(Long::longValue)
                .max()
                .orElseThrow();
    }

    static long sum(JobID id, String operator, String gauge) {
        return values(id, operator, gauge).stream().mapToLong(Long::longValue).sum();
    }
}
