package io.eventagg.sink;

import io.eventagg.config.ConfigException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** Applies a dialect's {@code schema.sql} (idempotent {@code CREATE … IF NOT EXISTS}). */
public final class SchemaManager {
    /** The optional raw events table and materialized views (ClickHouse only). */
    public static final String RAW_EVENTS_SQL = "sql/clickhouse/raw-events.sql";

    private SchemaManager() {}

    public static int apply(SinkSettings settings) throws SQLException {
        try (Connection c = ConnectionFactory.open(settings)) {
            return apply(c, settings.dialect());
        }
    }

    public static int apply(Connection c, SqlDialect dialect) throws SQLException {
        return execute(c, dialect, dialect.schemaStatements());
    }

    /**
     * Creates the raw {@code events} table and the materialized views over it
     * ({@value #RAW_EVENTS_SQL}); ClickHouse only.
     */
    public static int applyRawEvents(SinkSettings settings) throws SQLException {
        if (!(settings.dialect() instanceof ClickHouseDialect)) {
            throw new ConfigException(
                    "--raw-events",
                    "the raw events table and its materialized views exist for ClickHouse only, not "
                            + settings.dialect().name());
        }
        try (Connection c = ConnectionFactory.open(settings)) {
            return execute(c, settings.dialect(), SqlDialect.splitSql(SqlDialect.resource(RAW_EVENTS_SQL)));
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
