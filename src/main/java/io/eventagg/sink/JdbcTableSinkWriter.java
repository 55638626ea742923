package io.eventagg.sink;

import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subtask's writer of a table: holds the rows and writes them as one batch through a {@link
 * RetryingTableWriter} when the batch is full ({@code batch_size}), when {@link FlushSchedule} says
 * (the rows stopped coming, or the oldest waited {@code batch_interval}: checked on the task's
 * processing-time timers, so in the task thread between records), and on {@link #flush}, which Flink
 * calls before every checkpoint and at the end of the input. Rows are mapped when they arrive, so
 * records that Flink reuses are never held.
 */
final class JdbcTableSinkWriter<T> implements SinkWriter<T> {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcTableSinkWriter.class);

    private final TableSpec table;
    private final RowMapper<T> mapper;
    private final int batchSize;
    private final ProcessingTimeService time;
    private final FlushSchedule schedule;
    private final RetryingTableWriter writer;
    private final List<Object[]> rows = new ArrayList<>();
    /** Whether a check is scheduled: one at a time, whatever wrote the rows in between. */
    private boolean armed;

    /** Opens the connection: a database that cannot be reached fails the task right away. */
    JdbcTableSinkWriter(
            SinkSettings settings,
            TableSpec table,
            RowMapper<T> mapper,
            ProcessingTimeService time,
            MetricGroup metrics)
            throws IOException {
        this.table = table;
        this.mapper = mapper;
        this.batchSize = settings.batchSize();
        this.time = time;
        this.schedule = new FlushSchedule(settings.batchSize(), settings.batchIntervalMs());
        this.writer = new RetryingTableWriter(
                settings,
                table,
                metrics.counter(JdbcTableSink.SINK_WRITE_FAILURES),
                metrics.counter(JdbcTableSink.SINK_CONNECT_FAILURES));
        try {
            writer.open();
        } catch (SQLException | RuntimeException e) {
            throw new IOException("the sink of " + table.name() + " cannot open its connection: " + e.getMessage(), e);
        }
    }

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
        rows.add(mapper.toRow(element));
        long now = time.getCurrentProcessingTime();
        boolean check = schedule.written(now);
        if (batchSize > 0 && rows.size() >= batchSize) {
            writeRows();
        } else if (check) {
            arm(now);
        }
    }

    private void arm(long now) {
        if (armed) return;
        armed = true;
        time.registerTimer(schedule.nextCheck(now), this::check);
    }

    private void check(long timestamp) throws IOException, InterruptedException {
        armed = false;
        long now = time.getCurrentProcessingTime();
        if (schedule.due(now)) {
            flush(false);
        } else if (schedule.pending() > 0) {
            arm(now);
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        writeRows();
        schedule.flushed(time.getCurrentProcessingTime());
    }

    private void writeRows() throws IOException, InterruptedException {
        if (rows.isEmpty()) return;
        writer.write(rows);
        rows.clear();
    }

    /**
     * Never throws, and writes nothing: a task that ends normally was flushed at the end of its
     * input, and one that fails is replayed from its last checkpoint. (flink-connector-jdbc's writer
     * flushed here and rethrew a failed write; Flink 2.2 closes a failed task's operators inside the
     * handler that treats any exception as fatal for the whole TaskManager.)
     */
    @Override
    public void close() {
        if (!rows.isEmpty()) {
            LOG.info(
                    "{}: closing with {} rows not written; they are replayed from the last checkpoint",
                    table.name(),
                    rows.size());
            rows.clear();
        }
        writer.close();
    }
}
