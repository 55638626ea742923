package io.eventagg.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventagg.sink.SchemaManager;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Loads JSON event lines into ClickHouse's raw {@code events} table over plain HTTP (TabSeparated),
 * independently of eventagg's parser and sink: each valid line becomes a row with its properties as
 * JSON text; broken lines are skipped.
 */
public final class RawEventsLoader {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private RawEventsLoader() {}

    public static void load(ClickHouseServer.Database db, List<String> lines) throws Exception {
        SchemaManager.applyRawEvents(db.settings());
        db.insert("INSERT INTO events FORMAT TabSeparated", rows(lines).getBytes(StandardCharsets.UTF_8));
    }

    static String rows(List<String> lines) {
        ObjectMapper m = new ObjectMapper();
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            try {
                JsonNode n = m.readTree(l);
                JsonNode t = n.get("timestamp");
                long ts = t.isIntegralNumber()
                        ? t.asLong()
                        : OffsetDateTime.parse(t.asText()).toInstant().toEpochMilli();
                if (!n.get("event").isTextual() || n.get("event").asText().isEmpty() || n.get("distinct_id") == null)
                    continue;
                JsonNode props = n.get("properties");
                if (props != null && !props.isObject()) continue;
                String env =
                        n.has("environment") && !n.get("environment").asText().isEmpty()
                                ? n.get("environment").asText()
                                : "production";
                sb.append(n.has("uuid") ? ClickHouseServer.escape(n.get("uuid").asText()) : "\\N")
                        .append('\t')
                        .append(ClickHouseServer.escape(n.get("event").asText()))
                        .append('\t')
                        .append(ClickHouseServer.escape(
                                n.get("distinct_id").isNumber()
                                        ? n.get("distinct_id").toString()
                                        : n.get("distinct_id").asText()))
                        .append('\t')
                        .append(LocalDateTime.ofEpochSecond(Math.floorDiv(ts, 1000L), 0, ZoneOffset.UTC)
                                .format(SECONDS))
                        .append('\t')
                        .append(ts)
                        .append('\t')
                        .append(ClickHouseServer.escape(env))
                        .append('\t')
                        .append(
                                n.has("session_id")
                                        ? ClickHouseServer.escape(
                                                n.get("session_id").asText())
                                        : "\\N")
                        .append('\t')
                        .append(ClickHouseServer.escape(props == null ? "{}" : props.toString()))
                        .append('\n');
            } catch (Exception e) {
                // a broken line: not a raw event
            }
        }
        return sb.toString();
    }
}
