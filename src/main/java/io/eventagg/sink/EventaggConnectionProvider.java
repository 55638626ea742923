package io.eventagg.sink;

import java.sql.Connection;
import java.sql.SQLException;
import org.apache.flink.connector.jdbc.datasource.connections.JdbcConnectionProvider;

/** The JDBC sink's connections, opened through {@link ConnectionFactory} and the dialect's wrapper. */
public final class EventaggConnectionProvider implements JdbcConnectionProvider {
    private static final long serialVersionUID = 1L;

    private final SinkSettings settings;
    private transient Connection connection;

    public EventaggConnectionProvider(SinkSettings settings) {
        this.settings = settings;
    }

    @Override
    public Connection getConnection() {
        return connection;
    }

    @Override
    public boolean isConnectionValid() throws SQLException {
        return connection != null && connection.isValid(5);
    }

    @Override
    public Connection getOrEstablishConnection() throws SQLException {
        if (connection == null) connection = ConnectionFactory.openForWriting(settings);
        return connection;
    }

    @Override
    public void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing a broken connection: nothing left to do
            }
            connection = null;
        }
    }

    @Override
    public Connection reestablishConnection() throws SQLException {
        closeConnection();
        return getOrEstablishConnection();
    }
}
