package io.eventagg.sink;

import java.io.IOException;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.MetricGroup;

/**
 * The sink of one table: each record becomes a row ({@link RowMapper}) that a {@link
 * JdbcTableSinkWriter} per subtask writes in batches over a plain JDBC connection, through the
 * database's {@link TableWriter}. At-least-once: every checkpoint and the end of the input write
 * what is held, and the rows are full values with versions, so a replay changes nothing.
 *
 * <p>Why not flink-connector-jdbc's {@code JdbcSink} (its source still reads the raw events table):
 * it writes through a per-row {@code JdbcStatementBuilder} and JDBC batches, which can express
 * neither DuckDB's appender and bounded {@code MERGE} nor ClickHouse's TabSeparated request bodies,
 * where the benchmark's speed comes from; its writer rethrows a failed write from {@code close()},
 * which Flink 2.2 treats as fatal for the whole TaskManager; and it flushes on a timer thread of its
 * own instead of when the rows stop coming ({@link FlushSchedule}).
 *
 * <p>Metrics in the writer's group (operator {@code <sink name>: Writer}): {@value
 * #SINK_WRITE_FAILURES} and {@value #SINK_CONNECT_FAILURES}.
 */
public final class JdbcTableSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    /** Metric: failed batch writes (each retried up to {@code max_retries} times, then the task fails). */
    public static final String SINK_WRITE_FAILURES = "sinkWriteFailures";
    /** Metric: failed attempts to open or reopen the database connection. */
    public static final String SINK_CONNECT_FAILURES = "sinkConnectFailures";

    private final SinkSettings settings;
    private final TableSpec table;
    private final RowMapper<T> mapper;

    public JdbcTableSink(SinkSettings settings, TableSpec table, RowMapper<T> mapper) {
        this.settings = settings;
        this.table = table;
        this.mapper = mapper;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        return createWriter(context.getProcessingTimeService(), context.metricGroup());
    }

    /** The writer on a given clock and metric group; also outside Flink's runtime (the write path's benchmark). */
    public SinkWriter<T> createWriter(ProcessingTimeService time, MetricGroup metrics) throws IOException {
        return new JdbcTableSinkWriter<>(settings, table, mapper, time, metrics);
    }
}
