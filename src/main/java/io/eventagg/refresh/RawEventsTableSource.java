package io.eventagg.refresh;

import io.eventagg.config.ConfigException;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.Redact;
import io.eventagg.ingest.EventParser;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.ingest.Ingested;
import io.eventagg.sink.ConnectionFactory;
import io.eventagg.sink.SinkSettings;
import java.io.Serializable;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.jdbc.core.datastream.source.JdbcSource;
import org.apache.flink.connector.jdbc.core.datastream.source.JdbcSourceBuilder;
import org.apache.flink.connector.jdbc.core.datastream.source.reader.extractor.ResultExtractor;
import org.apache.flink.connector.jdbc.split.JdbcGenericParameterValuesProvider;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A raw events table (the spec's raw-event storage; DDL in {@code sql/clickhouse/raw-events.sql}:
 * {@code uuid, event, distinct_id, timestamp, timestamp_ms, environment, session_id, properties}
 * with properties as JSON text) read through flink-connector-jdbc's {@link JdbcSource} in one
 * split, streamed by the server. Rows go through the same parser as files and Kafka records, so
 * they obey the same contract.
 */
public final class RawEventsTableSource implements BackfillSource {
    private static final long serialVersionUID = 1L;

    private final SinkSettings database;
    private final String table;

    public RawEventsTableSource(SinkSettings database, String table) {
        if (!table.matches("[A-Za-z_][A-Za-z0-9_.]*"))
            throw new ConfigException("--raw-events-table", "'" + table + "' is not a table name");
        this.database = database;
        this.table = table;
    }

    @Override
    public DataStream<Ingested> create(StreamExecutionEnvironment env, JobDefinition job, RefreshRange range) {
        // One split: flink-connector-jdbc 4.0's split reader closes its connection when a fetcher
        // goes idle but its connection provider hands out the closed one for the next split.
        List<Serializable[]> slices = new ArrayList<>();
        slices.add(new Serializable[] {range.read().from(), range.read().to()});
        JdbcSourceBuilder<Ingested> b = JdbcSource.<Ingested>builder()
                .setDBUrl(ConnectionFactory.driverUrl(database))
                .setDriverName(database.dialect().driverClass())
                .setSql("SELECT uuid, event, distinct_id, timestamp_ms, environment, session_id, properties FROM "
                        + table + " WHERE timestamp_ms >= ? AND timestamp_ms < ?")
                .setJdbcParameterValuesProvider(
                        new JdbcGenericParameterValuesProvider(slices.toArray(new Serializable[0][])))
                .setResultExtractor(new RowToEvent(EventParser.forJob(job), table))
                .setTypeInformation(TypeInformation.of(Ingested.class))
                .setResultSetFetchSize(10_000);
        if (database.user() != null) b.setUsername(database.user());
        if (database.password() != null) b.setPassword(database.password().reveal());
        for (Map.Entry<String, String> p : database.properties().entrySet()) {
            if (!p.getKey().equals(ConnectionFactory.CLICKHOUSE_V1)) b.setConnectionProperty(p.getKey(), p.getValue());
        }
        return env.fromSource(b.build(), IngestWatermarks.strategy(job.watermark()), "raw events table " + table)
                .uid("source");
    }

    @Override
    public String describe() {
        return "table " + table + " at " + Redact.url(database.url());
    }

    /** A row as the JSON the parser reads; its origin is the table and a hash of its content. */
    static final class RowToEvent implements ResultExtractor<Ingested> {
        private static final long serialVersionUID = 1L;
        private final EventParser parser;
        private final String table;

        RowToEvent(EventParser parser, String table) {
            this.parser = parser;
            this.table = table;
        }

        @Override
        public Ingested extract(ResultSet rs) throws SQLException {
            String uuid = rs.getString(1);
            String event = rs.getString(2);
            String distinctId = rs.getString(3);
            long ts = rs.getLong(4);
            byte[] json = LateEventsTable.toJson(
                    uuid, event, distinctId, ts, rs.getString(5), rs.getString(6), rs.getString(7));
            long position = org.apache.datasketches.hash.MurmurHash3.hash(json, 7L)[0];
            return parser.parse(json, 0, json.length, table, -1, position);
        }
    }
}
