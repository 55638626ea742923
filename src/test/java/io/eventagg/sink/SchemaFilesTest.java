package io.eventagg.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.testing.ClickHouseServer;
import io.eventagg.testing.Tiers;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both reviewable schema files ({@code sql/duckdb/schema.sql}, {@code sql/clickhouse/schema.sql})
 * agree with {@link Tables}, checked on the real databases: same columns in the same order, same
 * types and nullability, same natural key; in ClickHouse also the engine (ReplacingMergeTree with
 * the version column for versioned tables) and the monthly partitioning of time-keyed tables.
 * Applying a schema twice is harmless.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(ClickHouseServer.class)
class SchemaFilesTest {
    @TempDir
    Path dir;

    @Test
    void duckDbSchemaMatchesTables() throws Exception {
        String url = "jdbc:duckdb:" + dir.resolve("schema.duckdb");
        SchemaManager.apply(SinkSettings.of(url));
        SchemaManager.apply(SinkSettings.of(url));
        try (Connection c = DriverManager.getConnection(url)) {
            for (TableSpec t : Tables.all()) {
                List<String> actual = new ArrayList<>();
                try (PreparedStatement ps =
                        c.prepareStatement("SELECT column_name, data_type, is_nullable FROM information_schema.columns"
                                + " WHERE table_name = ? ORDER BY ordinal_position")) {
                    ps.setString(1, t.name());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next())
                            actual.add(rs.getString(1) + " " + rs.getString(2)
                                    + ("YES".equals(rs.getString(3)) ? " NULL" : ""));
                    }
                }
                assertThat(actual)
                        .as(t.name())
                        .containsExactlyElementsOf(t.columns().stream()
                                .map(SchemaFilesTest::duckColumn)
                                .toList());
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT constraint_column_names FROM duckdb_constraints() WHERE table_name = ? AND constraint_type = 'PRIMARY KEY'")) {
                    ps.setString(1, t.name());
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.next())
                                .as(t.name() + " has a primary key")
                                .isTrue();
                        Array a = rs.getArray(1);
                        assertThat(Arrays.stream((Object[]) a.getArray())
                                        .map(Object::toString)
                                        .toList())
                                .as(t.name() + " key")
                                .isEqualTo(t.key());
                    }
                }
            }
            try (ResultSet rs = c.createStatement()
                    .executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_name = 'ea_refreshes'")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
        }
    }

    @Test
    void clickHouseSchemaMatchesTables() throws Exception {
        try (ClickHouseServer.Database db = ClickHouseServer.createDatabase("test_schema")) {
            SchemaManager.apply(db.settings());
            SchemaManager.apply(db.settings());
            for (TableSpec t : Tables.all()) {
                List<String> actual = db.query("DESCRIBE TABLE " + t.name()).stream()
                        .map(r -> r.get("name") + " " + r.get("type"))
                        .toList();
                assertThat(actual)
                        .as(t.name())
                        .containsExactlyElementsOf(t.columns().stream()
                                .map(SchemaFilesTest::clickHouseColumn)
                                .toList());
                Map<String, String> meta = db.query(
                                "SELECT engine, engine_full, sorting_key, partition_key FROM system.tables"
                                        + " WHERE database = currentDatabase() AND name = '" + t.name() + "'")
                        .get(0);
                assertThat(meta.get("sorting_key")).as(t.name() + " key").isEqualTo(String.join(", ", t.key()));
                assertThat(meta.get("engine_full"))
                        .as(t.name() + " engine")
                        .startsWith(t.versioned() ? "ReplacingMergeTree(version)" : "ReplacingMergeTree()");
                String time = t.columns().stream()
                        .filter(c -> c.type() == ColumnType.TIMESTAMP)
                        .filter(c -> t.key().contains(c.name()) || c.name().equals("timestamp"))
                        .map(Column::name)
                        .findFirst()
                        .orElse(null);
                assertThat(meta.get("partition_key"))
                        .as(t.name() + " partitioning")
                        .isEqualTo(time == null ? "" : "toYYYYMM(" + time + ")");
            }
            assertThat(
                            db.count(
                                    "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = 'ea_refreshes'"))
                    .isEqualTo(1);

            java.time.ZoneId ny = java.time.ZoneId.of("America/New_York");
            assertThat(SchemaManager.applyRawEvents(db.settings(), ny)).isEqualTo(12);
            assertThat(SchemaManager.applyRawEvents(db.settings(), ny)).isEqualTo(12);
            assertThat(
                            db.query(
                                    "SELECT name, engine FROM system.tables WHERE database = currentDatabase() AND name LIKE 'events%' ORDER BY name"))
                    .extracting(r -> r.get("name") + " " + r.get("engine"))
                    .containsExactly(
                            "events MergeTree",
                            "events_daily_active_users AggregatingMergeTree",
                            "events_daily_active_users_mv MaterializedView",
                            "events_hourly AggregatingMergeTree",
                            "events_hourly_mv MaterializedView",
                            "events_session_stats AggregatingMergeTree",
                            "events_session_stats_mv MaterializedView");
            assertThat(db.query("SELECT name, engine FROM system.tables WHERE database = currentDatabase() AND name IN"
                            + " ('dau_mv', 'hourly_events_mv', 'session_stats_mv', 'event_counts_hourly',"
                            + " 'daily_active_users') ORDER BY name"))
                    .extracting(r -> r.get("name") + " " + r.get("engine"))
                    .containsExactly(
                            "daily_active_users View",
                            "dau_mv MaterializedView",
                            "event_counts_hourly View",
                            "hourly_events_mv MaterializedView",
                            "session_stats_mv MaterializedView");
            // Two blocks, so that a summed unique count would show: u1 on both sides of New York's
            // midnight (one local day each), u2 twice on the later day, in separate inserts.
            String insert = "INSERT INTO events (uuid, event, distinct_id, timestamp, timestamp_ms, environment,"
                    + " session_id, properties) VALUES ";
            db.execute(insert + "(NULL, 'pageview', 'u1', toDateTime('2024-03-05 04:30:00', 'UTC'), 0, 'production',"
                    + " 's1', '{}'), (NULL, 'pageview', 'u2', toDateTime('2024-03-05 05:30:00', 'UTC'), 0, 'production',"
                    + " 's2', '{}')");
            db.execute(insert + "(NULL, 'pageview', 'u1', toDateTime('2024-03-05 05:10:00', 'UTC'), 0, 'production',"
                    + " 's1', '{}'), (NULL, 'signup', 'u2', toDateTime('2024-03-05 05:40:00', 'UTC'), 0, 'production',"
                    + " 's2', '{}')");
            assertThat(db.query("SELECT toString(date) AS d, user_count FROM daily_active_users ORDER BY d"))
                    .extracting(r -> r.get("d") + " " + r.get("user_count"))
                    .as("days of New York (UTC-5): 04:30Z is still 4 March, the rest 5 March; uniques merged")
                    .containsExactly("2024-03-04 1", "2024-03-05 2");
            assertThat(db.query("SELECT toString(toTimeZone(hour, 'UTC')) AS h, event, `count`, unique_users"
                            + " FROM event_counts_hourly ORDER BY h, event"))
                    .extracting(
                            r -> r.get("h") + " " + r.get("event") + " " + r.get("count") + " " + r.get("unique_users"))
                    .containsExactly(
                            "2024-03-05 04:00:00 pageview 1 1",
                            "2024-03-05 05:00:00 pageview 2 2",
                            "2024-03-05 05:00:00 signup 1 1");
            assertThat(db.query("SELECT toString(date) AS d, countMerge(total_events) AS e, uniqMerge(sessions) AS s,"
                            + " uniqMerge(users) AS u FROM session_stats_mv GROUP BY d ORDER BY d"))
                    .extracting(r -> r.get("d") + " " + r.get("e") + " " + r.get("s") + " " + r.get("u"))
                    .containsExactly("2024-03-04 1 1 1", "2024-03-05 3 2 2");
        }
    }

    static String duckColumn(Column c) {
        String type = switch (c.type()) {
            case TEXT -> "VARCHAR";
            case LONG -> "BIGINT";
            case INT -> "INTEGER";
            case DOUBLE -> "DOUBLE";
            case BOOL -> "BOOLEAN";
            case TIMESTAMP -> "TIMESTAMP";
        };
        return c.name() + " " + type + (c.nullable() ? " NULL" : "");
    }

    static String clickHouseColumn(Column c) {
        String type = switch (c.type()) {
            case TEXT -> "String";
            case LONG -> "Int64";
            case INT -> "Int32";
            case DOUBLE -> "Float64";
            case BOOL -> "UInt8";
            case TIMESTAMP -> "DateTime('UTC')";
        };
        return c.name() + " " + (c.nullable() ? "Nullable(" + type + ")" : type);
    }
}
