package io.eventagg.sink;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.apache.flink.connector.jdbc.datasource.connections.JdbcConnectionProvider;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;

/**
 * The JDBC sink's connections, opened through {@link ConnectionFactory} and the dialect's wrapper.
 *
 * <p>It also counts what goes wrong, as Flink metrics in the sink writer's group (one writer per
 * table and subtask, see {@link EventaggJdbcSink}): {@value #SINK_WRITE_FAILURES}, every failed batch
 * write (the sink retries it up to {@code max_retries} times, then the job fails and restarts from
 * its last checkpoint), and {@value #SINK_CONNECT_FAILURES}, every failed attempt to open or reopen
 * the connection.
 */
public final class EventaggConnectionProvider implements JdbcConnectionProvider {
    private static final long serialVersionUID = 1L;
    /** Metric: failed batch writes (inserts/upserts) of one table's sink writer. */
    public static final String SINK_WRITE_FAILURES = "sinkWriteFailures";
    /** Metric: failed attempts to open or reopen the database connection of one table's sink writer. */
    public static final String SINK_CONNECT_FAILURES = "sinkConnectFailures";

    private final SinkSettings settings;
    private transient Connection connection;
    private transient Counter writeFailures;
    private transient Counter connectFailures;

    public EventaggConnectionProvider(SinkSettings settings) {
        this.settings = settings;
    }

    /** Registers the failure counters in the sink writer's metric group (called before the writer opens). */
    public void bindMetrics(MetricGroup group) {
        writeFailures = group.counter(SINK_WRITE_FAILURES, new ThreadSafeSimpleCounter());
        connectFailures = group.counter(SINK_CONNECT_FAILURES, new ThreadSafeSimpleCounter());
    }

    private Counter writeFailures() {
        if (writeFailures == null) writeFailures = new SimpleCounter();
        return writeFailures;
    }

    private Counter connectFailures() {
        if (connectFailures == null) connectFailures = new SimpleCounter();
        return connectFailures;
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
        if (connection == null) {
            try {
                connection = countingWrites(ConnectionFactory.openForWriting(settings), writeFailures());
            } catch (SQLException | RuntimeException e) {
                connectFailures().inc();
                throw e;
            }
        }
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

    /**
     * The connection, with every statement it prepares counting its failed {@code executeBatch}
     * calls (the JDBC sink writes each batch with one; a failure is retried by the sink).
     */
    static Connection countingWrites(Connection target, Counter failures) {
        return (Connection) Proxy.newProxyInstance(EventaggConnectionProvider.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    Object result = invoke(target, method, args);
                    if (result instanceof PreparedStatement ps && method.getName().equals("prepareStatement")) {
                        return countingStatement(ps, failures);
                    }
                    return result;
                });
    }

    private static PreparedStatement countingStatement(PreparedStatement target, Counter failures) {
        // Every interface of the target, not only PreparedStatement: a dialect's bind looks for its own
        // statement interfaces (DuckDB's whole-row setRow) and otherwise falls back to a setObject per value.
        Class<?>[] interfaces = Proxy.isProxyClass(target.getClass()) ? target.getClass().getInterfaces()
                : new Class<?>[] {PreparedStatement.class};
        return (PreparedStatement) Proxy.newProxyInstance(EventaggConnectionProvider.class.getClassLoader(),
                interfaces, (proxy, method, args) -> {
                    if (!method.getName().equals("executeBatch")) return invoke(target, method, args);
                    try {
                        return invoke(target, method, args);
                    } catch (SQLException | RuntimeException e) {
                        failures.inc();
                        throw e;
                    }
                });
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
