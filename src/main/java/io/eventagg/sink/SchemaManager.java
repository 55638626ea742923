package io.eventagg.sink;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Applies a dialect's {@code schema.sql} (idempotent {@code CREATE … IF NOT EXISTS}). */
public final class SchemaManager {
    private SchemaManager() {}

    public static int apply(SinkSettings settings) throws SQLException {
        try (Connection c = ConnectionFactory.open(settings)) {
            return apply(c, settings.dialect());
        }
    }

    public static int apply(Connection c, SqlDialect dialect) throws SQLException {
        int n = 0;
        try (Statement s = c.createStatement()) {
            for (String sql : dialect.schemaStatements()) {
                try {
                    s.execute(sql);
                } catch (SQLException e) {
                    throw new SQLException("schema statement failed on " + dialect.name() + ": " + e.getMessage()
                            + "\n" + sql, e.getSQLState(), e);
                }
                n++;
            }
        }
        return n;
    }
}
