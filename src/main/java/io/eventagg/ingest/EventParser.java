package io.eventagg.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.LimitSettings;
import io.eventagg.filter.PropertyKind;
import io.eventagg.filter.PropertySelection;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;

/**
 * Turns one JSON text (a file line or a Kafka record value) into an {@link Event}, or into a
 * {@link DeadLetter} that says exactly what is wrong. Never throws on bad input.
 *
 * <p>Required: {@code event} (non-empty string), {@code distinct_id} (string, or a number taken as
 * its text), {@code timestamp} (ISO-8601 with an offset, or integer epoch milliseconds). Optional:
 * {@code uuid}, {@code session_id}, {@code environment}, {@code properties} (an object). Other
 * top-level fields are ignored. Only the job's selected property keys are extracted; the whole
 * properties object is kept as raw text for the late-events table.
 */
public final class EventParser implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Longest accepted event name, distinct id, uuid, session id or environment, in chars. */
    public static final int MAX_FIELD_CHARS = 1024;

    /** Events that may be checked against one reading of the clock (see {@link #checkNotTooFarAhead}). */
    static final int CLOCK_READING_USES = 1024;

    private final String defaultEnvironment;
    private final PropertySelection selection;
    private final LimitSettings limits;
    private final long maxFutureMs;
    private final Clock clock;
    private transient JsonFactory json;
    /**
     * A past reading of the clock (0, the epoch, before the first), and how many events it has
     * decided since. Any past reading is safe to decide with, so threads sharing a parser may race.
     */
    private transient long clockReadingMs;

    private transient int clockReadingUses;

    public EventParser(String defaultEnvironment, PropertySelection selection, LimitSettings limits) {
        this(defaultEnvironment, selection, limits, Clock.systemUTC());
    }

    /** With the wall clock that {@code limits.max_future} is measured from (tests move one by hand). */
    EventParser(String defaultEnvironment, PropertySelection selection, LimitSettings limits, Clock clock) {
        this.defaultEnvironment = defaultEnvironment;
        this.selection = selection;
        this.limits = limits;
        this.maxFutureMs = limits.maxFuture().toMillis();
        this.clock = clock;
    }

    public static EventParser forJob(JobDefinition job) {
        return new EventParser(job.defaultEnvironment(), job.propertySelection(), job.limits());
    }

    public int maxRecordBytes() {
        return limits.maxRecordBytes();
    }

    private JsonFactory json() {
        if (json == null) {
            json = JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(200)
                            .maxStringLength(Math.max(limits.maxRecordBytes(), 1024))
                            .maxNumberLength(400)
                            .build())
                    .build();
        }
        return json;
    }

    /** A record longer than the configured maximum: dead-lettered without parsing. */
    public Ingested oversize(
            byte[] head, int off, int headLength, long totalBytes, String source, int partition, long offset) {
        return Ingested.dead(new DeadLetter(
                source,
                partition,
                offset,
                "record is " + totalBytes + " bytes, over limits.max_record_bytes " + limits.maxRecordBytes(),
                rawText(head, off, headLength, totalBytes),
                totalBytes));
    }

    /** How many leading bytes of a record the dead-letter table keeps. */
    public int deadLetterRawBytes() {
        return limits.deadLetterRawBytes();
    }

    public Ingested parse(byte[] buf, int off, int len, String source, int partition, long offset) {
        if (len > limits.maxRecordBytes()) {
            return oversize(buf, off, len, len, source, partition, offset);
        }
        try {
            Ingested parsed = parseOrThrow(buf, off, len, source, partition, offset);
            // Jackson decodes some ill-formed UTF-8 instead of rejecting it (overlong forms such as
            // C0 AF for '/', code points above U+10FFFF, surrogates in skipped values).
            int bad = invalidUtf8(buf, off, len);
            if (bad >= 0) {
                return dead(
                        buf,
                        off,
                        len,
                        source,
                        partition,
                        offset,
                        "invalid UTF-8 at byte " + bad + " (overlong, surrogate or out-of-range sequence)");
            }
            return parsed;
        } catch (BadEvent e) {
            return dead(buf, off, len, source, partition, offset, e.getMessage());
        } catch (StreamConstraintsException e) {
            return dead(
                    buf,
                    off,
                    len,
                    source,
                    partition,
                    offset,
                    "exceeds a parser limit: " + firstLine(e.getOriginalMessage()));
        } catch (JsonParseException e) {
            return dead(buf, off, len, source, partition, offset, "invalid JSON: " + firstLine(e.getOriginalMessage()));
        } catch (IOException | RuntimeException e) {
            return dead(
                    buf,
                    off,
                    len,
                    source,
                    partition,
                    offset,
                    "unreadable record: " + firstLine(String.valueOf(e.getMessage())));
        }
    }

    /** The index (from {@code off}) of the first ill-formed UTF-8 sequence (RFC 3629), or -1. */
    static int invalidUtf8(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int more;
            int lo = 0x80, hi = 0xBF; // range of the second byte
            if (c >= 0xC2 && c <= 0xDF) {
                more = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                more = 2;
                if (c == 0xE0) lo = 0xA0; // overlong
                if (c == 0xED) hi = 0x9F; // surrogates
            } else if (c >= 0xF0 && c <= 0xF4) {
                more = 3;
                if (c == 0xF0) lo = 0x90; // overlong
                if (c == 0xF4) hi = 0x8F; // above U+10FFFF
            } else {
                return i - off;
            }
            if (i + more >= end) return i - off;
            int c2 = b[i + 1] & 0xFF;
            if (c2 < lo || c2 > hi) return i - off;
            for (int k = 2; k <= more; k++) {
                if ((b[i + k] & 0xC0) != 0x80) return i - off;
            }
            i += more + 1;
        }
        return -1;
    }

    private Ingested dead(byte[] buf, int off, int len, String source, int partition, long offset, String reason) {
        return Ingested.dead(new DeadLetter(source, partition, offset, reason, rawText(buf, off, len, len), len));
    }

    /** The first bytes of a record of {@code totalBytes}, of which {@code len} are in {@code buf}. */
    private String rawText(byte[] buf, int off, int len, long totalBytes) {
        int keep = Math.min(len, limits.deadLetterRawBytes());
        // Never cut a multi-byte UTF-8 sequence in half. The bytes after the cut may not be
        // available (an oversize line hands over only its head), so look at the kept tail only.
        if (keep < totalBytes) keep = wholeCharacters(buf, off, keep);
        return new String(buf, off, keep, StandardCharsets.UTF_8);
    }

    /** {@code len}, less a multi-byte UTF-8 sequence that is incomplete at the end of the range. */
    static int wholeCharacters(byte[] buf, int off, int len) {
        int lead = len - 1;
        while (lead >= 0 && lead > len - 4 && (buf[off + lead] & 0xC0) == 0x80) lead--;
        if (lead < 0) return len;
        int b = buf[off + lead] & 0xFF;
        int size = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
        return lead + size > len ? lead : len;
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    private Ingested parseOrThrow(byte[] buf, int off, int len, String source, int partition, long offset)
            throws IOException {
        String uuid = null, event = null, distinctId = null, environment = null, sessionId = null, properties = null;
        long timestamp = Long.MIN_VALUE;
        String[] values = new String[selection.size()];
        byte[] kinds = new byte[selection.size()];
        try (JsonParser p = json().createParser(buf, off, len)) {
            JsonToken t = p.nextToken();
            if (t == null) throw new BadEvent("empty record");
            if (t != JsonToken.START_OBJECT) throw new BadEvent("not a JSON object (starts with " + describe(t) + ")");
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                t = p.nextToken();
                switch (field) {
                    case "event" -> event = requireText(p, t, "event", false);
                    case "distinct_id" -> distinctId = requireText(p, t, "distinct_id", true);
                    case "timestamp" -> timestamp = timestamp(p, t);
                    case "uuid" -> uuid = optionalText(p, t, "uuid");
                    case "session_id" -> sessionId = optionalText(p, t, "session_id");
                    case "environment" -> environment = optionalText(p, t, "environment");
                    case "properties" -> properties = properties(p, t, buf, off, values, kinds);
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) throw new BadEvent("invalid JSON: unexpected " + describe(t));
            JsonToken after;
            try {
                after = p.nextToken();
            } catch (JsonParseException e) {
                after = JsonToken.NOT_AVAILABLE;
            }
            if (after != null) throw new BadEvent("invalid JSON: content after the object");
        }
        if (event == null) throw new BadEvent("missing required field 'event'");
        if (event.isEmpty()) throw new BadEvent("'event' is empty");
        if (distinctId == null) throw new BadEvent("missing required field 'distinct_id'");
        if (distinctId.isEmpty()) throw new BadEvent("'distinct_id' is empty");
        if (timestamp == Long.MIN_VALUE) throw new BadEvent("missing required field 'timestamp'");
        if (timestamp < limits.minTimestamp()) {
            throw new BadEvent("timestamp " + Instant.ofEpochMilli(timestamp) + " is before limits.min_timestamp "
                    + Instant.ofEpochMilli(limits.minTimestamp()) + " (numbers are epoch milliseconds)");
        }
        checkNotTooFarAhead(timestamp);
        if (environment == null || environment.isEmpty()) environment = defaultEnvironment;
        if (sessionId != null && sessionId.isEmpty()) sessionId = null;
        return Ingested.of(new Event(
                uuid,
                event,
                distinctId,
                timestamp,
                environment,
                sessionId,
                properties,
                values,
                kinds,
                source,
                partition,
                offset));
    }

    /**
     * Dead-letters an event more than {@code limits.max_future} ahead of the wall clock. Reading the
     * clock for every event was 4-6 % of parsing (kvm-clock, through the vDSO), so an earlier
     * reading decides while the event is within the limit of it: the clock has only moved on since,
     * so such an event is within the limit of now as well. Only an event beyond it (or the
     * 1,024th event on one reading, so that a clock set back is noticed) reads the clock again, and
     * only the fresh reading rejects.
     */
    private void checkNotTooFarAhead(long timestamp) {
        if (timestamp <= clockReadingMs + maxFutureMs && ++clockReadingUses < CLOCK_READING_USES) {
            return;
        }
        clockReadingMs = clock.millis();
        clockReadingUses = 0;
        if (timestamp > clockReadingMs + maxFutureMs) {
            throw new BadEvent("timestamp " + Instant.ofEpochMilli(timestamp)
                    + " is more than limits.max_future ahead of the clock");
        }
    }

    private static String requireText(JsonParser p, JsonToken t, String field, boolean numbersAllowed)
            throws IOException {
        if (t == JsonToken.VALUE_STRING
                || (numbersAllowed && (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT))) {
            return bounded(p.getText(), field);
        }
        throw new BadEvent(
                "'" + field + "' must be a string" + (numbersAllowed ? " or number" : "") + ", found " + describe(t));
    }

    private static String optionalText(JsonParser p, JsonToken t, String field) throws IOException {
        if (t == JsonToken.VALUE_NULL) return null;
        return requireText(p, t, field, true);
    }

    private static String bounded(String s, String field) {
        if (s.length() > MAX_FIELD_CHARS) {
            throw new BadEvent("'" + field + "' is longer than " + MAX_FIELD_CHARS + " characters");
        }
        return s;
    }

    private static long timestamp(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            try {
                return IsoTimestamps.parse(p.getText());
            } catch (IllegalArgumentException e) {
                throw new BadEvent(e.getMessage());
            }
        }
        if (t == JsonToken.VALUE_NUMBER_INT) {
            if (p.getNumberType() != JsonParser.NumberType.INT && p.getNumberType() != JsonParser.NumberType.LONG) {
                throw new BadEvent("timestamp " + IsoTimestamps.abbreviate(p.getText()) + " is out of range");
            }
            return p.getLongValue();
        }
        if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            throw new BadEvent(
                    "timestamp " + IsoTimestamps.abbreviate(p.getText()) + " must be whole epoch milliseconds");
        }
        throw new BadEvent("'timestamp' must be ISO-8601 text or epoch milliseconds, found " + describe(t));
    }

    private String properties(JsonParser p, JsonToken t, byte[] buf, int off, String[] values, byte[] kinds)
            throws IOException {
        if (t == JsonToken.VALUE_NULL) return null;
        if (t != JsonToken.START_OBJECT) throw new BadEvent("'properties' must be an object, found " + describe(t));
        int start = (int) p.currentTokenLocation().getByteOffset();
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            int index = selection.indexOf(p.currentName());
            t = p.nextToken();
            if (index < 0) {
                p.skipChildren();
                continue;
            }
            switch (t) {
                case VALUE_STRING -> set(values, kinds, index, p.getText(), PropertyKind.STRING);
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT ->
                    set(values, kinds, index, p.getText(), PropertyKind.NUMBER);
                case VALUE_TRUE, VALUE_FALSE -> set(values, kinds, index, p.getText(), PropertyKind.BOOLEAN);
                case VALUE_NULL -> set(values, kinds, index, "null", PropertyKind.NULL);
                case START_OBJECT, START_ARRAY -> {
                    int from = (int) p.currentTokenLocation().getByteOffset();
                    p.skipChildren();
                    int to = (int) p.currentLocation().getByteOffset();
                    set(
                            values,
                            kinds,
                            index,
                            new String(buf, off + from, to - from, StandardCharsets.UTF_8),
                            PropertyKind.JSON);
                }
                default -> throw new BadEvent("invalid JSON in properties: unexpected " + describe(t));
            }
        }
        int end = (int) p.currentLocation().getByteOffset();
        return new String(buf, off + start, end - start, StandardCharsets.UTF_8);
    }

    private static void set(String[] values, byte[] kinds, int index, String value, byte kind) {
        // A repeated key keeps its last value, as JSON object semantics usually do.
        values[index] = value;
        kinds[index] = kind;
    }

    private static String describe(JsonToken t) {
        if (t == null) return "end of input";
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
        };
    }

    /** A specific, user-facing reason why a record is not a valid event. */
    static final class BadEvent extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadEvent(String reason) {
            super(reason, null, false, false);
        }
    }
}
