package io.eventagg.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.query.AggregationResult;
import io.eventagg.query.JdbcAggregationStorage;
import io.eventagg.query.TimeSeriesQuery;
import io.eventagg.sketch.Sketches;
import io.eventagg.testing.ClickHouseServer;
import io.eventagg.testing.Tiers;
import io.eventagg.time.Granularity;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.datasketches.hll.Union;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tables created by an earlier release get the columns added since ({@code breakdown_users}) when
 * the schema is applied, on DuckDB and on ClickHouse 18.16 (which has no {@code ADD COLUMN IF NOT
 * EXISTS}); rows written before answer without users per value, never with zeros.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(ClickHouseServer.class)
class SchemaMigrationTest {
    static final JobDefinition JOB = JobLoader.parse("""
            name: migr
            timezone: UTC
            granularities: [hour]
            breakdowns: [plan]
            """);
    static final long OLD = Instant.parse("2024-05-01T10:00:00Z").toEpochMilli();
    static final long NEW = Instant.parse("2024-05-01T11:00:00Z").toEpochMilli();

    @TempDir
    Path dir;

    @Test
    void duckDbTablesOfTheFirstReleaseGainTheColumn() throws Exception {
        SinkSettings s = SinkSettings.of("jdbc:duckdb:" + dir.resolve("old.duckdb"));
        try (Connection c = ConnectionFactory.open(s);
                Statement st = c.createStatement()) {
            st.execute("""
                    CREATE TABLE ea_timeseries (job VARCHAR NOT NULL, environment VARCHAR NOT NULL,
                      event VARCHAR NOT NULL, granularity VARCHAR NOT NULL, bucket_start TIMESTAMP NOT NULL,
                      event_count BIGINT NOT NULL, unique_users BIGINT NOT NULL, users_sketch VARCHAR,
                      breakdowns VARCHAR NOT NULL, is_final BOOLEAN NOT NULL, version BIGINT NOT NULL,
                      PRIMARY KEY (job, environment, event, granularity, bucket_start))""");
            st.execute("INSERT INTO ea_timeseries VALUES ('migr', 'production', 'purchase', 'hour'," + " epoch_ms("
                    + OLD + "), 2, 2, '" + sketch(1, 2) + "', '{\"plan\":{\"pro\":2}}', true, 1)");
        }
        assertMigrates(s);
    }

    @Test
    void clickHouseTablesOfTheFirstReleaseGainTheColumn() throws Exception {
        try (ClickHouseServer.Database db = ClickHouseServer.createDatabase("migr")) {
            db.execute("""
                    CREATE TABLE ea_timeseries (job String, environment String, event String, granularity String,
                      bucket_start DateTime('UTC'), event_count Int64, unique_users Int64,
                      users_sketch Nullable(String), breakdowns String, is_final UInt8, version Int64)
                    ENGINE = ReplacingMergeTree(version) PARTITION BY toYYYYMM(bucket_start)
                    ORDER BY (job, environment, event, granularity, bucket_start)""");
            db.execute("INSERT INTO ea_timeseries VALUES ('migr', 'production', 'purchase', 'hour', " + OLD / 1000
                    + ", 2, 2, '" + sketch(1, 2) + "', '{\"plan\":{\"pro\":2}}', 1, 1)");
            assertMigrates(db.settings());
        }
    }

    private static void assertMigrates(SinkSettings s) throws Exception {
        SchemaManager.apply(s);
        try (Connection c = ConnectionFactory.open(s)) {
            assertThat(s.dialect().hasColumn(c, "ea_timeseries", "breakdown_users"))
                    .isTrue();
            assertThat(s.dialect().hasColumn(c, "ea_timeseries", "no_such_column"))
                    .isFalse();
        }
        int again = SchemaManager.apply(s);
        assertThat(again)
                .as("nothing left to add")
                .isEqualTo(s.dialect().schemaStatements().size());
        try (Connection c = ConnectionFactory.openForWriting(s);
                TableWriter w = s.dialect().tableWriter(c, Tables.TIMESERIES)) {
            w.write(List.<Object[]>of(new Object[] {
                "migr",
                "production",
                "purchase",
                "hour",
                NEW,
                3L,
                2L,
                sketch(2, 3),
                "{\"plan\":{\"pro\":3}}",
                true,
                1L,
                "{\"plan\":{\"pro\":\"" + sketch(2, 3) + "\"}}"
            }));
        }
        try (JdbcAggregationStorage storage = new JdbcAggregationStorage(JOB, s)) {
            AggregationResult both = storage.query(new TimeSeriesQuery(
                    List.of("purchase"),
                    Instant.ofEpochMilli(OLD),
                    Instant.ofEpochMilli(NEW + 3_600_000L),
                    Granularity.HOUR,
                    null,
                    List.of("plan"),
                    null));
            assertThat(both.series().get(0).breakdownUniqueUsers())
                    .as("written before")
                    .isNull();
            assertThat(both.series().get(1).breakdownUniqueUsers()).isEqualTo(Map.of("plan", Map.of("pro", 2L)));
            assertThat(both.breakdownUniqueUsersTotals())
                    .as("unknown over a range with older rows")
                    .isNull();
            assertThat(both.breakdownTotals()).isEqualTo(Map.of("plan", Map.of("pro", 5L)));
        }
    }

    private static String sketch(long... hashes) {
        Union u = Sketches.newUnion(Sketches.DEFAULT_LG_K);
        for (long h : hashes) u.update(h);
        return Sketches.base64(Sketches.toBytes(u));
    }
}
