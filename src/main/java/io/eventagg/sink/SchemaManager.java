package io.eventagg.sink;

import io.eventagg.config.ConfigException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies a dialect's {@code schema.sql} (idempotent {@code CREATE … IF NOT EXISTS}), then adds the
 * columns that later releases added to tables an earlier one created.
 */
public final class SchemaManager {
    /** A nullable text column added to a table after its first release (always its last column). */
    record AddedColumn(TableSpec table, String column) {}

    /** In the order they were added: a table's columns keep the writers' order. */
    static final List<AddedColumn> ADDED_COLUMNS = List.of(new AddedColumn(Tables.TIMESERIES, "breakdown_users"));

    /** The optional raw events table and materialized views (ClickHouse only). */
    public static final String RAW_EVENTS_SQL = "sql/clickhouse/raw-events.sql";
    /** The specification's names for the raw events' rollups, bucketed in a time zone. */
    public static final String RAW_EVENTS_SPEC_SQL = "sql/clickhouse/raw-events-spec.sql";

    private SchemaManager() {}

    public static int apply(SinkSettings settings) throws SQLException {
        try (Connection c = ConnectionFactory.open(settings)) {
            return apply(c, settings.dialect());
        }
    }

    public static int apply(Connection c, SqlDialect dialect) throws SQLException {
        int n = execute(c, dialect, dialect.schemaStatements());
        List<String> added = new ArrayList<>();
        for (AddedColumn a : ADDED_COLUMNS) {
            if (!dialect.hasColumn(c, a.table().name(), a.column()))
                added.add(dialect.addTextColumn(a.table().name(), a.column()));
        }
        return n + execute(c, dialect, added);
    }

    /** {@link #applyRawEvents(SinkSettings, ZoneId)} with UTC days and hours. */
    public static int applyRawEvents(SinkSettings settings) throws SQLException {
        return applyRawEvents(settings, ZoneId.of("UTC"));
    }

    /**
     * Creates the raw {@code events} table and the materialized views over it ({@value #RAW_EVENTS_SQL}),
     * and the specification's names for its rollups ({@value #RAW_EVENTS_SPEC_SQL}) bucketed in
     * {@code zone}; ClickHouse only.
     */
    public static int applyRawEvents(SinkSettings settings, ZoneId zone) throws SQLException {
        if (!(settings.dialect() instanceof ClickHouseDialect)) {
            throw new ConfigException(
                    "--raw-events",
                    "the raw events table and its materialized views exist for ClickHouse only, not "
                            + settings.dialect().name());
        }
        try (Connection c = ConnectionFactory.open(settings)) {
            List<String> statements = new ArrayList<>(SqlDialect.splitSql(SqlDialect.resource(RAW_EVENTS_SQL)));
            // A ZoneId's id is letters, digits, '/', '_', '+', '-' and ':' only: safe inside quotes.
            statements.addAll(
                    SqlDialect.splitSql(SqlDialect.resource(RAW_EVENTS_SPEC_SQL).replace("{timezone}", zone.getId())));
            return execute(c, settings.dialect(), statements);
        }
    }

    private static int execute(Connection c, SqlDialect dialect, List<String> statements) throws SQLException {
        int n = 0;
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                try {
                    s.execute(sql);
                } catch (SQLException e) {
                    throw new SQLException(
                            "schema statement failed on " + dialect.name() + ": " + e.getMessage() + "\n" + sql,
                            e.getSQLState(),
                            e);
                }
                n++;
            }
        }
        return n;
    }
}
