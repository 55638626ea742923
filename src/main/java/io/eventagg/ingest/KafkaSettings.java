package io.eventagg.ingest;

import io.eventagg.config.ConfigException;
import io.eventagg.config.Redact;
import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Where and how events are read from Kafka.
 *
 * @param bootstrapServers {@code host:port[,host:port...]}
 * @param topics topics to read (empty when {@code topicPattern} is used)
 * @param topicPattern a regular expression over topic names (new matching topics are picked up by
 *     partition discovery), or null
 * @param groupId the consumer group: offsets are committed there on every completed checkpoint
 *     (for monitoring and for {@code committed} starting offsets; the job's own position lives in
 *     its checkpoints)
 * @param startingOffsets where a job without state starts (a job restored from a checkpoint or
 *     savepoint continues where it was)
 * @param stopAt null for an unbounded (streaming) source; otherwise the source ends there
 * @param properties Kafka consumer properties passed through as they are (security.protocol,
 *     sasl.*, ssl.*, ...); secret-looking values are never printed
 */
public record KafkaSettings(
        String bootstrapServers,
        List<String> topics,
        String topicPattern,
        String groupId,
        Position startingOffsets,
        Position stopAt,
        Map<String, String> properties)
        implements Serializable {

    /** The bootstrap servers when none are given: the local broker of {@code make kafka-up}. */
    public static final String LOCAL_BOOTSTRAP = "127.0.0.1:19092";

    public KafkaSettings {
        topics = topics == null ? List.of() : List.copyOf(topics);
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new ConfigException("--kafka-bootstrap", "is required (host:port of one or more brokers)");
        }
        if (topics.isEmpty() == (topicPattern == null || topicPattern.isBlank())) {
            throw new ConfigException(
                    "--topic", "give either --topic (one or more topics) or --topic-pattern, not both or neither");
        }
        if (topicPattern != null) {
            try {
                Pattern.compile(topicPattern);
            } catch (PatternSyntaxException e) {
                throw new ConfigException(
                        "--topic-pattern", "'" + topicPattern + "' is not a regular expression: " + e.getDescription());
            }
        }
        if (groupId == null || groupId.isBlank()) throw new ConfigException("--group-id", "is required");
        if (startingOffsets == null) startingOffsets = Position.COMMITTED;
        if (startingOffsets.kind() == Kind.NONE)
            throw new ConfigException("--starting-offsets", "must be committed, earliest, latest or timestamp:<time>");
        if (stopAt != null && (stopAt.kind() == Kind.COMMITTED || stopAt.kind() == Kind.EARLIEST)) {
            throw new ConfigException("--stop-at", "must be latest or timestamp:<time>");
        }
        if (stopAt != null && stopAt.kind() == Kind.NONE) stopAt = null;
    }

    /**
     * What the flags say ({@code --kafka-bootstrap}, {@code --topic}, ...; null or empty where not
     * given), resolved the same way by the CLI and the cluster jobs.
     */
    public record Flags(
            String bootstrap,
            List<String> topics,
            String topicPattern,
            String groupId,
            String startingOffsets,
            String stopAt,
            Path propertiesFile,
            Map<String, String> properties) {
        /** Whether the flags name something to read (a topic or a pattern). */
        public boolean subscribes() {
            return (topics != null && !topics.isEmpty()) || topicPattern != null;
        }

        /**
         * The settings: the consumer group defaults to {@code eventagg-<jobName>}, consumer
         * properties are the file's with {@code properties} on top.
         */
        public KafkaSettings resolve(String jobName) {
            Map<String, String> props = new LinkedHashMap<>();
            if (propertiesFile != null) props.putAll(readProperties(propertiesFile));
            if (properties != null) props.putAll(properties);
            return new KafkaSettings(
                    bootstrap,
                    topics,
                    topicPattern,
                    groupId != null ? groupId : "eventagg-" + jobName,
                    Position.parse("--starting-offsets", startingOffsets),
                    Position.parse("--stop-at", stopAt),
                    props);
        }

        private static Map<String, String> readProperties(Path file) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new ConfigException(
                        "--kafka-properties-file",
                        "cannot read '" + file + "': " + e.getClass().getSimpleName());
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (String k : p.stringPropertyNames()) out.put(k, p.getProperty(k));
            return out;
        }
    }

    public boolean bounded() {
        return stopAt != null;
    }

    /** What to subscribe to, for messages. */
    public String subscription() {
        return topics.isEmpty() ? "topics matching /" + topicPattern + "/" : String.join(",", topics);
    }

    @Override
    public String toString() {
        return "KafkaSettings[bootstrap=" + bootstrapServers + ", " + subscription() + ", group=" + groupId + ", start="
                + startingOffsets + ", stop=" + (stopAt == null ? "never" : stopAt) + ", properties="
                + Redact.properties(properties) + "]";
    }

    /** Kinds of offset positions. */
    public enum Kind {
        COMMITTED,
        EARLIEST,
        LATEST,
        TIMESTAMP,
        NONE
    }

    /**
     * An offset position: {@code committed} (the group's committed offsets; partitions without one
     * start at the earliest offset, or as {@code auto.offset.reset} says), {@code earliest},
     * {@code latest}, or {@code timestamp:T} (the first record whose Kafka timestamp is at or after
     * T, an ISO-8601 instant or epoch milliseconds).
     */
    public record Position(Kind kind, long timestampMs) implements Serializable {
        public static final Position COMMITTED = new Position(Kind.COMMITTED, 0);
        public static final Position EARLIEST = new Position(Kind.EARLIEST, 0);
        public static final Position LATEST = new Position(Kind.LATEST, 0);

        public static Position parse(String option, String text) {
            if (text == null) return null;
            String t = text.strip();
            switch (t.toLowerCase()) {
                case "committed":
                    return COMMITTED;
                case "earliest":
                    return EARLIEST;
                case "latest":
                    return LATEST;
                case "none":
                case "never":
                    return new Position(Kind.NONE, 0);
                default:
                    break;
            }
            if (t.toLowerCase().startsWith("timestamp:")) {
                String v = t.substring("timestamp:".length()).strip();
                try {
                    if (v.matches("-?\\d+")) return new Position(Kind.TIMESTAMP, Long.parseLong(v));
                    return new Position(Kind.TIMESTAMP, Instant.parse(v).toEpochMilli());
                } catch (NumberFormatException | DateTimeParseException e) {
                    throw new ConfigException(
                            option,
                            "'" + v + "' is not an ISO-8601 instant (2024-01-15T00:00:00Z) or epoch milliseconds");
                }
            }
            throw new ConfigException(
                    option,
                    "'" + text + "' is not one of committed, earliest, latest, timestamp:<ISO instant or epoch ms>");
        }

        @Override
        public String toString() {
            return kind == Kind.TIMESTAMP
                    ? "timestamp:" + Instant.ofEpochMilli(timestampMs)
                    : kind.name().toLowerCase();
        }
    }
}
