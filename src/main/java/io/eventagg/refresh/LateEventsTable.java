package io.eventagg.refresh;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.eventagg.config.JobDefinition;
import io.eventagg.ingest.EventParser;
import io.eventagg.ingest.Ingested;
import io.eventagg.sink.ConnectionFactory;
import io.eventagg.sink.SinkSettings;
import io.eventagg.sink.SqlDialect;
import io.eventagg.sink.Tables;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the events a live job found too late (table {@code ea_late_events}) within a refresh's read
 * span, so the refresh counts them. Each keeps its origin (file and line, or topic, partition and
 * offset); the refresh drops the same record from its main source, so nothing counts twice.
 */
public final class LateEventsTable {
    private static final JsonFactory JSON = new JsonFactory();

    private LateEventsTable() {}

    /** A late event turned back into an ingested record, with its origin key. */
    public record Late(String origin, Ingested record) {}

    public static String origin(String source, int partition, long offset) {
        return source + "\u001f" + partition + "\u001f" + offset;
    }

    public static List<Late> read(SinkSettings sink, JobDefinition job, RefreshRange range) throws SQLException {
        SqlDialect d = sink.dialect();
        EventParser parser = EventParser.forJob(job);
        String sql =
                "SELECT source, src_partition, src_offset, uuid, event, distinct_id, timestamp_ms, environment, session_id, properties FROM "
                        + d.current(Tables.LATE_EVENTS) + " WHERE job = ? AND timestamp_ms >= ? AND timestamp_ms < ?";
        List<Late> out = new ArrayList<>();
        try (Connection c = ConnectionFactory.open(sink);
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, job.name());
            ps.setLong(2, range.read().from());
            ps.setLong(3, range.read().to());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String source = rs.getString(1);
                    int partition = rs.getInt(2);
                    long offset = rs.getLong(3);
                    byte[] json = toJson(
                            rs.getString(4),
                            rs.getString(5),
                            rs.getString(6),
                            rs.getLong(7),
                            rs.getString(8),
                            rs.getString(9),
                            rs.getString(10));
                    out.add(new Late(
                            origin(source, partition, offset),
                            parser.parse(json, 0, json.length, source, partition, offset)));
                }
            }
        }
        return out;
    }

    /** The event as the JSON the parser reads (properties are stored as their JSON text). */
    static byte[] toJson(
            String uuid, String event, String distinctId, long ts, String env, String session, String properties) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            if (uuid != null) g.writeStringField("uuid", uuid);
            g.writeStringField("event", event);
            g.writeStringField("distinct_id", distinctId);
            g.writeNumberField("timestamp", ts);
            g.writeStringField("environment", env);
            if (session != null) g.writeStringField("session_id", session);
            if (properties != null && !properties.isEmpty()) {
                g.writeFieldName("properties");
                g.writeRawValue(properties);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString().getBytes(StandardCharsets.UTF_8);
    }
}
