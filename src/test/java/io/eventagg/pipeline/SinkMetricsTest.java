package io.eventagg.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventagg.config.JobDefinition;
import io.eventagg.generate.EventGenerator;
import io.eventagg.ingest.RunCounter;
import io.eventagg.sink.JdbcTableSink;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import io.eventagg.sink.Tables;
import io.eventagg.testing.ClickHouseServer;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.RefParser;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.TestJobs;
import io.eventagg.testing.Tiers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics users alert on, as a metric reporter sees them on a cluster: {@code eventsIn},
 * {@code eventsAggregated}, {@code eventsDeadLettered}, {@code eventsLate} (operator "route"),
 * {@code rowsWritten} (operator "count &lt;table&gt;") and {@code sinkWriteFailures} /
 * {@code sinkConnectFailures} (operator "jdbc &lt;table&gt;: Writer"). A sink whose writes fail
 * counts every failed attempt, per table.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
@ExtendWith(ClickHouseServer.class)
@Timeout(300)
class SinkMetricsTest {

    @TempDir
    Path dir;

    Pipelines.Attempt run(JobDefinition job, Path input, SinkSettings sink) throws Exception {
        return Pipelines.runWithoutRestarts(job, input, sink, Duration.ofMinutes(3));
    }

    /** Sum of a counter over subtasks, per operator (the identifier without the subtask and metric name). */
    static Map<String, Long> counters(JobID job, String name) {
        Map<String, Long> out = new TreeMap<>();
        for (Map.Entry<String, Metric> e :
                SharedCluster.metrics().findMetrics(job, name).entrySet()) {
            String id = e.getKey();
            if (!id.endsWith("." + name)) continue; // findMetrics matches a pattern: eventsIn would also find eventsInX
            String operator = operatorOf(id, name);
            out.merge(operator, ((Counter) e.getValue()).getCount(), Long::sum);
        }
        return out;
    }

    /** "...jobname.operator name.subtask.metric" -> "operator name". */
    static String operatorOf(String identifier, String metric) {
        String s = identifier.substring(0, identifier.length() - metric.length() - 1);
        s = s.substring(0, s.lastIndexOf('.')); // subtask index
        return s.substring(s.lastIndexOf('.') + 1);
    }

    static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        if (t != null) t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    static long sum(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }

    @Test
    void healthyRunReportsEveryCounterWithZeroFailures() throws Exception {
        Path input = dir.resolve("events.jsonl");
        new EventGenerator(300, 3, 8, Instant.parse("2024-03-01T00:00:00Z"), 0.05).write(input);
        RefParser.Parsed ref = RefParser.read(input, "production");
        JobDefinition job = TestJobs.timeSeries("metrics", "UTC");
        SinkSettings sink = SinkSettings.of("jdbc:duckdb:" + dir.resolve("m.duckdb"));
        SchemaManager.apply(sink);

        Pipelines.Attempt r = run(job, input, sink);
        assertThat(r.failure())
                .as(() -> "the job failed: " + stackTrace(r.failure()))
                .isNull();

        assertThat(counters(r.id(), RunCounter.EVENTS_IN)).containsOnlyKeys("route");
        assertThat(sum(counters(r.id(), RunCounter.EVENTS_IN))).isEqualTo(ref.lines());
        assertThat(sum(counters(r.id(), RunCounter.EVENTS_DEAD_LETTERED)))
                .isEqualTo(ref.bad())
                .isPositive();
        assertThat(sum(counters(r.id(), RunCounter.EVENTS_AGGREGATED)) + sum(counters(r.id(), RunCounter.EVENTS_LATE)))
                .isEqualTo(ref.events().size());
        Map<String, Long> rows = counters(r.id(), RunCounter.ROWS_WRITTEN);
        assertThat(rows)
                .containsKeys("count ea_timeseries", "count ea_activity", "count ea_dead_letters", "count ea_progress");
        assertThat(rows.get("count ea_timeseries")).isPositive();

        Map<String, Long> failures = counters(r.id(), JdbcTableSink.SINK_WRITE_FAILURES);
        Map<String, Long> connects = counters(r.id(), JdbcTableSink.SINK_CONNECT_FAILURES);
        for (String table : List.of(
                Tables.TIMESERIES.name(),
                Tables.ACTIVITY.name(),
                Tables.DEAD_LETTERS.name(),
                Tables.LATE_EVENTS.name(),
                Tables.PROGRESS.name())) {
            assertThat(failures).as("a write-failure counter for " + table).containsEntry(writer(table), 0L);
            assertThat(connects).as("a connect-failure counter for " + table).containsEntry(writer(table), 0L);
        }
    }

    /** The name of a table's sink writer operator. */
    static String writer(String table) {
        return "jdbc " + table + ": Writer";
    }

    @Test
    void failedWritesAreCountedPerTable() throws Exception {
        Path input = dir.resolve("events.jsonl");
        new EventGenerator(100, 2, 9, Instant.parse("2024-03-01T00:00:00Z"), 0.05).write(input);
        JobDefinition job = TestJobs.timeSeries("metrics_fail", "UTC");
        try (ClickHouseServer.Database db = ClickHouseServer.createDatabase("test_metrics")) {
            // The dead-letter "table" is a view: ClickHouse rejects every insert into it.
            db.execute("CREATE VIEW ea_dead_letters AS SELECT '' AS job, '' AS source, toInt32(0) AS src_partition,"
                    + " toInt64(0) AS src_offset, '' AS reason, '' AS raw, toInt64(0) AS raw_bytes");
            SinkSettings sink = db.settings().withBatch(1000, 200).withMaxRetries(2);
            SchemaManager.apply(sink);

            Pipelines.Attempt r = run(job, input, sink);
            assertThat(r.failure()).as("the job fails once the sink gave up").isNotNull();
            Map<String, Long> failures = counters(r.id(), JdbcTableSink.SINK_WRITE_FAILURES);
            // The first write and both retries failed (a writer may try once more when it is closed).
            assertThat(failures.get(writer(Tables.DEAD_LETTERS.name()))).isGreaterThanOrEqualTo(3);
            assertThat(failures.get(writer(Tables.TIMESERIES.name()))).isZero();
        }
    }

    @Test
    void failedConnectionsAreCounted() throws Exception {
        Path input = dir.resolve("events.jsonl");
        new EventGenerator(50, 1, 10, Instant.parse("2024-03-01T00:00:00Z"), 0.0).write(input);
        JobDefinition job = TestJobs.timeSeries("metrics_connect", "UTC");
        // Nothing listens on port 1.
        SinkSettings sink = SinkSettings.of("jdbc:clickhouse://127.0.0.1:1/default")
                .withProperties(ClickHouseServer.driverProperties("default"));
        assertThatThrownBy(() -> SchemaManager.apply(sink)).hasMessageContaining("127.0.0.1:1");

        Pipelines.Attempt r = run(job, input, sink);
        assertThat(r.failure()).isNotNull();
        assertThat(sum(counters(r.id(), JdbcTableSink.SINK_CONNECT_FAILURES))).isPositive();
    }
}
