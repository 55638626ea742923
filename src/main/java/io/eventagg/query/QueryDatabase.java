package io.eventagg.query;

import io.eventagg.sink.ConnectionFactory;
import io.eventagg.sink.SinkSettings;
import io.eventagg.sink.SqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The one connection that a storage's readers share, with its dialect (DuckDB or ClickHouse): the
 * readers write their SQL through the dialect so that it reads only the newest row per key, and
 * their SQL failures become {@link QueryException}s that name the database.
 */
final class QueryDatabase implements AutoCloseable {
    private final SqlDialect dialect;
    private final Connection connection;

    private QueryDatabase(SqlDialect dialect, Connection connection) {
        this.dialect = dialect;
        this.connection = connection;
    }

    static QueryDatabase open(SinkSettings settings) {
        SqlDialect dialect = settings.dialect();
        try {
            return new QueryDatabase(dialect, ConnectionFactory.open(settings));
        } catch (SQLException e) {
            throw QueryException.storageFailure(e.getMessage(), e);
        }
    }

    SqlDialect dialect() {
        return dialect;
    }

    Connection connection() {
        return connection;
    }

    PreparedStatement prepare(String sql) throws SQLException {
        return connection.prepareStatement(sql);
    }

    /** SQL for {@code column} in a range given as two epoch-millisecond parameters: {@code >= ?} and {@code < ?}. */
    String inRange(String column) {
        return column + " >= " + dialect.timestampParam() + " AND " + column + " < " + dialect.timestampParam();
    }

    QueryException failed(SQLException e) {
        return QueryException.storageFailure("query failed on " + dialect.name() + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // nothing to release beyond the connection
        }
    }
}
