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

            assertThat(SchemaManager.applyRawEvents(db.settings())).isEqualTo(7);
            assertThat(SchemaManager.applyRawEvents(db.settings())).isEqualTo(7);
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
