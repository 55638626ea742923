package io.eventagg.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.config.RunOptions;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import io.eventagg.testing.DuckTables;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.Tiers;
import io.eventagg.testing.Watermarks;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad input lands in the dead-letter table with its reason and origin, too-late
 * events land whole in the late-events table, and read = aggregated + dead-lettered + late.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
class DeadLettersAndLateEventsTest {

    @TempDir
    Path dir;

    private static String ok(String event, String user, String ts) {
        return "{\"event\":\"" + event + "\",\"distinct_id\":\"" + user + "\",\"timestamp\":\"" + ts + "\"}";
    }

    @Test
    void badRecordsAndLateEventsAreKeptWithReasons() throws Exception {
        // line -> expected fragment of the reason (null: a valid, on-time event)
        Map<String, String> lines = new LinkedHashMap<>();
        lines.put(ok("pageview", "u1", "2024-01-01T10:00:00Z"), null);
        lines.put("{\"event\":\"pageview\",\"distinct_id\":\"u1\"", "invalid JSON");
        lines.put("[1,2,3]", "not a JSON object");
        lines.put("{\"distinct_id\":\"u1\",\"timestamp\":\"2024-01-01T10:00:00Z\"}", "missing required field 'event'");
        lines.put("{\"event\":\"x\",\"timestamp\":\"2024-01-01T10:00:00Z\"}", "missing required field 'distinct_id'");
        lines.put("{\"event\":\"x\",\"distinct_id\":\"u1\"}", "missing required field 'timestamp'");
        lines.put("{\"event\":\"\",\"distinct_id\":\"u1\",\"timestamp\":\"2024-01-01T10:00:00Z\"}", "'event' is empty");
        lines.put(
                "{\"event\":7,\"distinct_id\":\"u1\",\"timestamp\":\"2024-01-01T10:00:00Z\"}",
                "'event' must be a string");
        lines.put("{\"event\":\"x\",\"distinct_id\":\"u1\",\"timestamp\":\"yesterday\"}", "not ISO-8601");
        lines.put("{\"event\":\"x\",\"distinct_id\":\"u1\",\"timestamp\":\"2024-01-01T10:00:00\"}", "no UTC offset");
        lines.put(
                "{\"event\":\"x\",\"distinct_id\":\"u1\",\"timestamp\":\"2024-01-01T10:00:00Z\",\"properties\":[1]}",
                "'properties' must be an object");
        lines.put("{\"event\":\"x\",\"distinct_id\":\"u1\",\"timestamp\":1}", "before limits.min_timestamp");
        lines.put(
                "{\"event\":\"x\",\"distinct_id\":\"u1\",\"timestamp\":\"2024-01-01T10:00:00Z\"} trailing",
                "content after the object");
        lines.put(ok("pageview", "u2", "2024-01-01T12:00:00Z"), null);
        lines.put(ok("pageview", "u3", "2024-01-01T11:30:00Z"), null); // 30 min behind: within the 1 h lateness
        lines.put(ok("pageview", "u4", "2024-01-01T10:30:00Z"), "LATE"); // 1.5 h behind: too late
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String l : lines.keySet()) bytes.write((l + "\n").getBytes(StandardCharsets.UTF_8));
        byte[] invalidUtf8 = "{\"event\":\"x\",\"distinct_id\":\"u\u00e9\",\"timestamp\":\"2024-01-01T12:00:00Z\"}"
                .getBytes(StandardCharsets.UTF_8);
        invalidUtf8[31] = (byte) 0xC3;
        invalidUtf8[32] = (byte) 0x28; // not a continuation byte
        bytes.write(invalidUtf8);
        bytes.write('\n');
        bytes.write(("{\"event\":\"big\",\"distinct_id\":\"u1\",\"timestamp\":\"2024-01-01T12:00:00Z\",\"p\":\""
                        + "x".repeat(3000) + "\"}\n")
                .getBytes(StandardCharsets.UTF_8));
        Path input = dir.resolve("bad.jsonl");
        Files.write(input, bytes.toByteArray());

        JobDefinition job = JobLoader.parse("""
                name: bad
                granularities: [hour]
                limits: {max_record_bytes: 2048, dead_letter_raw_bytes: 100}
                watermark: {out_of_orderness: 0s, allowed_lateness: 1h, emit_interval: 1s}
                """);
        String url = "jdbc:duckdb:" + dir.resolve("bad.duckdb");
        SchemaManager.apply(SinkSettings.of(url));
        Pipelines.Counts counts = Pipelines.run(
                job,
                List.of(input),
                RunOptions.streamingDefaults(),
                Watermarks.perEvent(job.watermark().outOfOrderness()),
                new JdbcOutputs(job.name(), SinkSettings.of(url)),
                2);

        List<Map<String, Object>> dead = DuckTables.rows(url, "SELECT * FROM ea_dead_letters ORDER BY src_offset");
        int lineNo = 0;
        int expectedDead = 0;
        for (Map.Entry<String, String> e : lines.entrySet()) {
            lineNo++;
            if (e.getValue() == null || e.getValue().equals("LATE")) continue;
            expectedDead++;
            int n = lineNo;
            Map<String, Object> row = dead.stream()
                    .filter(r -> ((Number) r.get("src_offset")).intValue() == n)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no dead letter for line " + n + ": " + e.getKey()));
            assertThat((String) row.get("reason")).as("line " + n).contains(e.getValue());
            assertThat((String) row.get("raw"))
                    .isEqualTo(e.getKey().substring(0, Math.min(100, e.getKey().length())));
            assertThat((String) row.get("source")).endsWith("bad.jsonl");
            assertThat(((Number) row.get("src_partition")).intValue()).isEqualTo(-1);
        }
        Map<String, Object> utf8 = dead.stream()
                .filter(r -> ((Number) r.get("src_offset")).intValue() == lines.size() + 1)
                .findFirst()
                .orElseThrow();
        assertThat((String) utf8.get("reason")).containsIgnoringCase("UTF-8");
        Map<String, Object> big = dead.stream()
                .filter(r -> ((Number) r.get("src_offset")).intValue() == lines.size() + 2)
                .findFirst()
                .orElseThrow();
        assertThat((String) big.get("reason")).contains("over limits.max_record_bytes 2048");
        assertThat(((Number) big.get("raw_bytes")).longValue()).isGreaterThan(3000);
        assertThat(((String) big.get("raw")).length()).isEqualTo(100);
        assertThat(dead).hasSize(expectedDead + 2);

        List<Map<String, Object>> late = DuckTables.rows(url, "SELECT * FROM ea_late_events");
        assertThat(late).singleElement().satisfies(r -> {
            assertThat(r.get("distinct_id")).isEqualTo("u4");
            assertThat(r.get("event")).isEqualTo("pageview");
            assertThat(((Number) r.get("timestamp_ms")).longValue())
                    .isEqualTo(Instant.parse("2024-01-01T10:30:00Z").toEpochMilli());
            assertThat(((Number) r.get("src_offset")).intValue()).isEqualTo(16);
        });

        assertThat(counts.read()).isEqualTo(lines.size() + 2);
        assertThat(counts.dead()).isEqualTo(expectedDead + 2);
        assertThat(counts.late()).isEqualTo(1);
        assertThat(counts.aggregated()).isEqualTo(3);
        assertThat(counts.read()).isEqualTo(counts.aggregated() + counts.dead() + counts.late());
        assertThat(DuckTables.count(url, "SELECT sum(event_count) FROM ea_activity WHERE granularity = 'hour'"))
                .isEqualTo(3);
        assertThat(
                        DuckTables.count(
                                url,
                                "SELECT event_count FROM ea_activity WHERE granularity = 'hour' AND bucket_start = TIMESTAMP '2024-01-01 11:00:00'"))
                .as("the event within the allowed lateness updated its (earlier) bucket")
                .isEqualTo(1);
    }
}
