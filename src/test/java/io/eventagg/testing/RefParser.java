package io.eventagg.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * A deliberately plain reading of the event contract (Jackson tree model, java.time), used as the
 * independent reference in tests. Lines that break the contract are counted as bad.
 */
public final class RefParser {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Valid events in file order, and the number of bad lines. */
    public record Parsed(List<RefEvent> events, int bad, int lines) {}

    private RefParser() {}

    public static Parsed read(Path file, String defaultEnvironment) throws IOException {
        List<RefEvent> events = new ArrayList<>();
        int bad = 0, lines = 0, lineNo = 0;
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) continue;
                lines++;
                RefEvent e = parse(line, lineNo, defaultEnvironment);
                if (e == null) bad++;
                else events.add(e);
            }
        }
        return new Parsed(events, bad, lines);
    }

    /** One line as the reference reads it, or null when it breaks the contract. */
    public static RefEvent parse(String line, int lineNo, String defaultEnvironment) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (IOException e) {
            return null;
        }
        if (n == null || !n.isObject()) return null;
        JsonNode event = n.get("event");
        JsonNode id = n.get("distinct_id");
        JsonNode ts = n.get("timestamp");
        if (event == null || !event.isTextual() || event.asText().isEmpty()) return null;
        if (id == null || !(id.isTextual() || id.isNumber()) || id.asText().isEmpty()) return null;
        long timestamp;
        if (ts == null) return null;
        if (ts.isIntegralNumber()) {
            timestamp = ts.asLong();
        } else if (ts.isTextual()) {
            try {
                timestamp = OffsetDateTime.parse(ts.asText()).toInstant().toEpochMilli();
            } catch (Exception e) {
                return null;
            }
        } else {
            return null;
        }
        JsonNode props = n.get("properties");
        if (props != null && !props.isNull() && !props.isObject()) return null;
        Map<String, String> properties = new LinkedHashMap<>();
        if (props != null && props.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = props.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> f = it.next();
                properties.put(
                        f.getKey(),
                        f.getValue().isTextual()
                                ? f.getValue().asText()
                                : f.getValue().toString());
            }
        }
        String env = text(n.get("environment"));
        String session = text(n.get("session_id"));
        return new RefEvent(
                lineNo,
                text(n.get("uuid")),
                event.asText(),
                id.isNumber() ? id.toString() : id.asText(),
                timestamp,
                env == null || env.isEmpty() ? defaultEnvironment : env,
                session == null || session.isEmpty() ? null : session,
                properties);
    }

    private static String text(JsonNode n) {
        if (n == null || n.isNull()) return null;
        return n.isNumber() ? n.toString() : n.asText();
    }
}
