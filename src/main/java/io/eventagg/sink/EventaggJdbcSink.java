package io.eventagg.sink;

import java.io.IOException;
import java.util.Collection;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.jdbc.JdbcExactlyOnceOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriter;
import org.apache.flink.connector.jdbc.core.datastream.sink.writer.JdbcWriterState;
import org.apache.flink.connector.jdbc.datasource.statements.JdbcQueryStatement;
import org.apache.flink.connector.jdbc.datasource.statements.SimpleJdbcQueryStatement;
import org.apache.flink.connector.jdbc.internal.JdbcOutputSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * flink-connector-jdbc's at-least-once {@link JdbcSink} (a flush on every checkpoint and at the end
 * of the input, {@code max_retries} attempts per batch), except that its writer's {@code close()}
 * never throws, and that it writes a batch once the rows stop coming ({@link FlushSchedule})
 * instead of on the connector's fixed timer.
 *
 * <p>flink-connector-jdbc's writer rethrows a failed flush from {@code close()}. Flink 2.2 closes
 * the operators of a failed task inside the handler that treats any exception as fatal for the
 * whole TaskManager ("FATAL - exception in exception handler of task"), so one failed insert (a
 * database outage) shut the TaskManager down instead of failing the task and letting the restart
 * strategy replay from the last checkpoint. Nothing is lost by not throwing there: every checkpoint
 * and the end of the input flush first, and a failed flush fails the task before the checkpoint
 * completes; rows still buffered when a failed task closes are replayed.
 *
 * <p>It also registers the failure counters of {@link EventaggConnectionProvider} in each writer's
 * metric group. The provider is the same object for {@code JdbcSink} and this subclass, also after
 * Flink deserialized the sink in a task, so the writer's connections count into those counters.
 */
public final class EventaggJdbcSink<T> extends JdbcSink<T> {
    private static final long serialVersionUID = 1L;

    private final EventaggConnectionProvider provider;
    private final JdbcExecutionOptions options;
    private final JdbcQueryStatement<T> statement;

    public EventaggJdbcSink(String sql, JdbcStatementBuilder<T> builder, JdbcExecutionOptions options, EventaggConnectionProvider provider) {
        this(new SimpleJdbcQueryStatement<>(sql, builder), options, provider);
    }

    private EventaggJdbcSink(JdbcQueryStatement<T> statement, JdbcExecutionOptions options, EventaggConnectionProvider provider) {
        super(DeliveryGuarantee.AT_LEAST_ONCE, provider, options, JdbcExactlyOnceOptions.defaults(), statement);
        this.provider = provider;
        this.options = options;
        this.statement = statement;
    }

    @Override
    public JdbcWriter<T> restoreWriter(WriterInitContext context, Collection<JdbcWriterState> recoveredState) throws IOException {
        provider.bindMetrics(context.metricGroup());
        return new Writer<>(provider, options, statement,
                JdbcOutputSerializer.of(context.createInputSerializer(), context.isObjectReuseEnabled()), recoveredState, context);
    }

    /**
     * The connector's options without its flush timer: a thread of its own that wrote every
     * interval whatever the input did. The batch size and retries stay the connector's.
     */
    static JdbcExecutionOptions withoutTimer(JdbcExecutionOptions options) {
        return JdbcExecutionOptions.builder()
                .withBatchSize(options.getBatchSize())
                .withBatchIntervalMs(0)
                .withMaxRetries(options.getMaxRetries())
                .build();
    }

    /**
     * flink-connector-jdbc's at-least-once writer whose {@code close()} logs instead of throwing,
     * and which writes its batch when {@link FlushSchedule} says so, on the task's processing-time
     * timers (so in the task thread, between records, like the connector's own full-batch writes).
     */
    static final class Writer<T> extends JdbcWriter<T> {
        private static final Logger LOG = LoggerFactory.getLogger(EventaggJdbcSink.class);

        private final ProcessingTimeService time;
        private final FlushSchedule schedule;
        /** Whether a check is scheduled: one at a time, whatever wrote the rows in between. */
        private boolean armed;

        Writer(EventaggConnectionProvider provider, JdbcExecutionOptions options, JdbcQueryStatement<T> statement,
                JdbcOutputSerializer<T> serializer, Collection<JdbcWriterState> recoveredState, WriterInitContext context) throws IOException {
            super(provider, withoutTimer(options), JdbcExactlyOnceOptions.defaults(), statement, serializer, DeliveryGuarantee.AT_LEAST_ONCE,
                    recoveredState, context);
            this.time = context.getProcessingTimeService();
            this.schedule = new FlushSchedule(options.getBatchSize(), options.getBatchIntervalMs());
        }

        @Override
        public void write(T element, Context context) throws IOException, InterruptedException {
            super.write(element, context);
            long now = time.getCurrentProcessingTime();
            if (schedule.written(now)) arm(now);
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
            super.flush(endOfInput);
            schedule.flushed(time.getCurrentProcessingTime());
        }

        @Override
        public void close() {
            try {
                super.close();
            } catch (Exception e) {
                // A flush failed (now or earlier) and the task is failing or failed already: its rows are
                // replayed from the last checkpoint. Throwing here would make Flink shut the TaskManager down.
                LOG.warn("closing the JDBC writer after a failed write; the rows it still held are replayed from the last checkpoint: {}",
                        e.toString());
            }
        }
    }
}
