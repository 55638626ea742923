package io.eventagg.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.LimitSettings;
import io.eventagg.filter.PropertyKind;
import io.eventagg.filter.PropertySelection;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class EventParserTest {

    private static final String SOURCE = "events/part-0.jsonl";
    private static final int PARTITION = 3;
    private static final long OFFSET = 4711;

    private static final List<String> SELECTED = List.of("plan", "price", "beta", "nothing", "obj", "arr", "name");
    private static final int PLAN = 0, PRICE = 1, BETA = 2, NOTHING = 3, OBJ = 4, ARR = 5, NAME = 6;

    private static final LimitSettings LIMITS = LimitSettings.defaults();

    private static EventParser parser(LimitSettings limits) {
        return new EventParser("production", new PropertySelection(SELECTED), limits);
    }

    private static final EventParser PARSER = parser(LIMITS);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Ingested parse(String json) {
        byte[] b = utf8(json);
        return PARSER.parse(b, 0, b.length, SOURCE, PARTITION, OFFSET);
    }

    private static Ingested parse(byte[] b) {
        return PARSER.parse(b, 0, b.length, SOURCE, PARTITION, OFFSET);
    }

    private static Event event(String json) {
        Ingested in = parse(json);
        assertThat(in.deadLetter()).as("dead letter for %s", json).isNull();
        assertThat(in.isEvent()).isTrue();
        return in.event();
    }

    private static DeadLetter dead(byte[] json) {
        Ingested in = parse(json);
        assertThat(in.event()).as("expected a dead letter").isNull();
        assertThat(in.isEvent()).isFalse();
        DeadLetter d = in.deadLetter();
        assertThat(d).isNotNull();
        assertThat(d.source()).isEqualTo(SOURCE);
        assertThat(d.partition()).isEqualTo(PARTITION);
        assertThat(d.offset()).isEqualTo(OFFSET);
        assertThat(d.rawBytes()).isEqualTo(json.length);
        return d;
    }

    private static DeadLetter dead(String json) {
        return dead(utf8(json));
    }

    /** A valid event with the given extra top-level members (JSON text, may be empty). */
    private static String withFields(String event, String distinctId, String timestamp, String extra) {
        StringBuilder sb = new StringBuilder("{");
        if (event != null) sb.append("\"event\":").append(event).append(',');
        if (distinctId != null) sb.append("\"distinct_id\":").append(distinctId).append(',');
        if (timestamp != null) sb.append("\"timestamp\":").append(timestamp).append(',');
        sb.append(extra);
        if (sb.charAt(sb.length() - 1) == ',') sb.setLength(sb.length() - 1);
        return sb.append('}').toString();
    }

    private static final String TS = "\"2024-05-01T12:34:56.789Z\"";
    private static final long TS_MS = Instant.parse("2024-05-01T12:34:56.789Z").toEpochMilli();

    private static String valid(String extra) {
        return withFields("\"signup\"", "\"user-1\"", TS, extra);
    }

    // ------------------------------------------------------------------------------------------

    @Nested
    class ValidEvents {
        @Test
        void allFields() {
            Event e = event(
                    "{\"uuid\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"event\":\"signup\",\"distinct_id\":\"user-1\","
                            + "\"timestamp\":\"2024-05-01T12:34:56.789Z\",\"environment\":\"staging\",\"session_id\":\"s-9\","
                            + "\"properties\":{\"plan\":\"pro\"}}");
            assertThat(e.uuid()).isEqualTo("0f8fad5b-d9cb-469f-a165-70867728950e");
            assertThat(e.event()).isEqualTo("signup");
            assertThat(e.distinctId()).isEqualTo("user-1");
            assertThat(e.timestamp()).isEqualTo(TS_MS);
            assertThat(e.environment()).isEqualTo("staging");
            assertThat(e.sessionId()).isEqualTo("s-9");
            assertThat(e.properties()).isEqualTo("{\"plan\":\"pro\"}");
            assertThat(e.property(PLAN)).isEqualTo("pro");
            assertThat(e.source()).isEqualTo(SOURCE);
            assertThat(e.partition()).isEqualTo(PARTITION);
            assertThat(e.offset()).isEqualTo(OFFSET);
        }

        @Test
        void timestampWithOffset() {
            Event e = event(withFields("\"e\"", "\"u\"", "\"2024-05-01T08:00:00+05:30\"", ""));
            assertThat(e.timestamp())
                    .isEqualTo(OffsetDateTime.parse("2024-05-01T08:00:00+05:30")
                            .toInstant()
                            .toEpochMilli());
            assertThat(e.timestamp())
                    .isEqualTo(Instant.parse("2024-05-01T02:30:00Z").toEpochMilli());
        }

        @Test
        void timestampAsEpochMillis() {
            long ms = Instant.parse("2024-01-01T00:00:00.123Z").toEpochMilli();
            assertThat(event(withFields("\"e\"", "\"u\"", Long.toString(ms), ""))
                            .timestamp())
                    .isEqualTo(ms);
        }

        @Test
        void timestampExactlyAtMinTimestampIsAccepted() {
            long min = LIMITS.minTimestamp();
            assertThat(event(withFields("\"e\"", "\"u\"", Long.toString(min), ""))
                            .timestamp())
                    .isEqualTo(min);
        }

        @ParameterizedTest
        @ValueSource(strings = {"123", "1.50", "-7", "12345678901234567890", "1e3"})
        void numericDistinctIdIsTakenAsItsText(String number) {
            assertThat(event(withFields("\"e\"", number, TS, "")).distinctId()).isEqualTo(number);
        }

        @Test
        void escapesInStringsAreDecoded() {
            Event e = event(withFields("\"caf\\u00e9 \\\"quoted\\\"\"", "\"\\ud83d\\ude00\"", TS, ""));
            assertThat(e.event()).isEqualTo("café \"quoted\"");
            assertThat(e.distinctId()).isEqualTo("😀");
        }

        @Test
        void missingEmptyOrNullEnvironmentIsTheDefault() {
            assertThat(event(valid("")).environment()).isEqualTo("production");
            assertThat(event(valid("\"environment\":\"\"")).environment()).isEqualTo("production");
            assertThat(event(valid("\"environment\":null")).environment()).isEqualTo("production");
            EventParser other = new EventParser("dev", new PropertySelection(List.of()), LIMITS);
            byte[] b = utf8(valid(""));
            assertThat(other.parse(b, 0, b.length, SOURCE, -1, 1).event().environment())
                    .isEqualTo("dev");
        }

        @Test
        void nullOrEmptySessionIdIsNull() {
            assertThat(event(valid("\"session_id\":null")).sessionId()).isNull();
            assertThat(event(valid("\"session_id\":\"\"")).sessionId()).isNull();
            assertThat(event(valid("")).sessionId()).isNull();
            assertThat(event(valid("\"uuid\":null")).uuid()).isNull();
        }

        @Test
        void unknownTopLevelFieldsAreIgnored() {
            Event e = event(
                    valid("\"lib\":\"js\",\"nested\":{\"event\":\"not-me\",\"a\":[1,{\"b\":null}]},\"list\":[[],{}],"
                            + "\"n\":1.5e10,\"flag\":false,\"nothing\":null"));
            assertThat(e.event()).isEqualTo("signup");
            assertThat(e.properties()).isNull();
        }

        @Test
        void propertiesAbsentOrNull() {
            for (String extra : List.of("", "\"properties\":null")) {
                Event e = event(valid(extra));
                assertThat(e.properties()).isNull();
                assertThat(e.propertyValues()).hasSize(SELECTED.size()).containsOnlyNulls();
                for (byte k : e.propertyKinds()) assertThat(k).isEqualTo(PropertyKind.ABSENT);
            }
        }

        @Test
        void fieldOrderDoesNotMatter() {
            Event e = event(
                    "{\"properties\":{\"plan\":\"x\"},\"timestamp\":" + TS + ",\"distinct_id\":\"u\",\"event\":\"e\"}");
            assertThat(e.event()).isEqualTo("e");
            assertThat(e.property(PLAN)).isEqualTo("x");
            assertThat(e.timestamp()).isEqualTo(TS_MS);
        }

        @Test
        void repeatedTopLevelKeyKeepsTheLastValue() {
            assertThat(event(valid("\"event\":\"second\"")).event()).isEqualTo("second");
        }

        @Test
        void surroundingWhitespaceIsAccepted() {
            assertThat(event(" \t" + valid("") + " \r\n").event()).isEqualTo("signup");
        }

        @Test
        void fieldOfExactlyTheMaximumLengthIsAccepted() {
            String id = "x".repeat(EventParser.MAX_FIELD_CHARS);
            assertThat(event(withFields("\"e\"", "\"" + id + "\"", TS, "")).distinctId())
                    .isEqualTo(id);
            // Characters, not bytes: 1024 two-byte characters are fine.
            String accented = "é".repeat(EventParser.MAX_FIELD_CHARS);
            assertThat(event(withFields("\"" + accented + "\"", "\"u\"", TS, ""))
                            .event())
                    .isEqualTo(accented);
        }
    }

    @Nested
    class SelectedProperties {
        private final String props = "{\"plan\":\"pro \\\"plus\\\"\",\"price\":19.90,\"beta\":true,\"nothing\":null,"
                + "\"obj\":{ \"a\" : [1, 2, {\"b\":\"}\"}] },\"arr\":[ \"x\", [ ], {} ],\"ignored\":{\"plan\":\"inner\"},"
                + "\"name\":\"Zoë\"}";

        @Test
        void kindsAndTexts() {
            Event e = event(valid("\"properties\":" + props));
            assertThat(e.property(PLAN)).isEqualTo("pro \"plus\"");
            assertThat(e.propertyKinds()[PLAN]).isEqualTo(PropertyKind.STRING);
            assertThat(e.property(PRICE)).isEqualTo("19.90");
            assertThat(e.propertyKinds()[PRICE]).isEqualTo(PropertyKind.NUMBER);
            assertThat(e.property(BETA)).isEqualTo("true");
            assertThat(e.propertyKinds()[BETA]).isEqualTo(PropertyKind.BOOLEAN);
            assertThat(e.property(NOTHING)).isEqualTo("null");
            assertThat(e.propertyKinds()[NOTHING]).isEqualTo(PropertyKind.NULL);
            assertThat(e.property(OBJ)).isEqualTo("{ \"a\" : [1, 2, {\"b\":\"}\"}] }");
            assertThat(e.propertyKinds()[OBJ]).isEqualTo(PropertyKind.JSON);
            assertThat(e.property(ARR)).isEqualTo("[ \"x\", [ ], {} ]");
            assertThat(e.propertyKinds()[ARR]).isEqualTo(PropertyKind.JSON);
            assertThat(e.property(NAME)).isEqualTo("Zoë");
            assertThat(e.propertyKinds()[NAME]).isEqualTo(PropertyKind.STRING);
        }

        @Test
        void rawPropertiesAreExactlyTheInputSubstring() {
            Event e = event(valid("\"properties\":" + props + ",\"after\":1"));
            assertThat(e.properties()).isEqualTo(props);
        }

        @Test
        void rawPropertiesAndJsonValuesWithAnOffsetIntoALargerBufferAfterMultiByteText() throws Exception {
            String json = valid("\"properties\":" + props);
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            byte[] prefix = utf8("{\"garbage\":\"ééé€€😀\"}\n");
            byte[] record = utf8(json);
            byte[] suffix = utf8("\n{\"event\":\"next\",\"properties\":{\"plan\":\"other\"}}");
            buf.write(prefix);
            buf.write(record);
            buf.write(suffix);
            byte[] all = buf.toByteArray();
            assertThat(prefix.length).isGreaterThan(new String(prefix, StandardCharsets.UTF_8).length());

            Ingested in = PARSER.parse(all, prefix.length, record.length, SOURCE, PARTITION, OFFSET);
            assertThat(in.isEvent()).isTrue();
            Event e = in.event();
            assertThat(e.properties()).isEqualTo(props);
            assertThat(e.property(OBJ)).isEqualTo("{ \"a\" : [1, 2, {\"b\":\"}\"}] }");
            assertThat(e.property(ARR)).isEqualTo("[ \"x\", [ ], {} ]");
            assertThat(e.property(PLAN)).isEqualTo("pro \"plus\"");
            assertThat(e.property(NAME)).isEqualTo("Zoë");
        }

        @Test
        void multiByteTextInsideTheRecordBeforeProperties() {
            String json = withFields(
                    "\"Einkäufe €\"", "\"ユーザー\"", TS, "\"properties\":{\"arr\":[\"ü\",\"😀\"],\"plan\":\"ß\"}");
            Event e = event(json);
            assertThat(e.event()).isEqualTo("Einkäufe €");
            assertThat(e.properties()).isEqualTo("{\"arr\":[\"ü\",\"😀\"],\"plan\":\"ß\"}");
            assertThat(e.property(ARR)).isEqualTo("[\"ü\",\"😀\"]");
        }

        @Test
        void numbersKeepTheirExactText() {
            for (String n : List.of("0", "-0", "1e3", "1.0E-7", "123456789012345678901234567890", "-19.90")) {
                Event e = event(valid("\"properties\":{\"price\":" + n + "}"));
                assertThat(e.property(PRICE)).isEqualTo(n);
                assertThat(e.propertyKinds()[PRICE]).isEqualTo(PropertyKind.NUMBER);
            }
        }

        @Test
        void falseIsABoolean() {
            Event e = event(valid("\"properties\":{\"beta\":false}"));
            assertThat(e.property(BETA)).isEqualTo("false");
            assertThat(e.propertyKinds()[BETA]).isEqualTo(PropertyKind.BOOLEAN);
        }

        @Test
        void absentSelectedPropertiesAreNullAndAbsent() {
            Event e = event(valid("\"properties\":{\"plan\":\"pro\"}"));
            for (int i = 0; i < SELECTED.size(); i++) {
                if (i == PLAN) continue;
                assertThat(e.property(i)).isNull();
                assertThat(e.propertyKinds()[i]).isEqualTo(PropertyKind.ABSENT);
            }
        }

        @Test
        void emptyPropertiesObject() {
            Event e = event(valid("\"properties\":{}"));
            assertThat(e.properties()).isEqualTo("{}");
            assertThat(e.propertyValues()).containsOnlyNulls();
        }

        @Test
        void repeatedKeyKeepsTheLastValueAndKind() {
            Event e = event(
                    valid("\"properties\":{\"plan\":\"free\",\"price\":1,\"plan\":{\"tier\":2},\"price\":\"2\"}"));
            assertThat(e.property(PLAN)).isEqualTo("{\"tier\":2}");
            assertThat(e.propertyKinds()[PLAN]).isEqualTo(PropertyKind.JSON);
            assertThat(e.property(PRICE)).isEqualTo("2");
            assertThat(e.propertyKinds()[PRICE]).isEqualTo(PropertyKind.STRING);
        }

        @Test
        void nestedKeysWithASelectedNameAreNotSelected() {
            Event e = event(valid("\"properties\":{\"ignored\":{\"plan\":\"inner\",\"price\":[1]}}"));
            assertThat(e.property(PLAN)).isNull();
            assertThat(e.property(PRICE)).isNull();
        }

        @Test
        void parserWithoutSelectionKeepsOnlyTheRawText() {
            EventParser none = new EventParser("production", new PropertySelection(List.of()), LIMITS);
            byte[] b = utf8(valid("\"properties\":" + props));
            Event e = none.parse(b, 0, b.length, SOURCE, -1, 1).event();
            assertThat(e.propertyValues()).isEmpty();
            assertThat(e.properties()).isEqualTo(props);
        }
    }

    // ------------------------------------------------------------------------------------------

    static Stream<Arguments> badRecords() {
        String future = "\"" + Instant.now().plus(Duration.ofDays(3)) + "\"";
        String longId = "\"" + "x".repeat(EventParser.MAX_FIELD_CHARS + 1) + "\"";
        String deep = "[".repeat(500) + "]".repeat(500);
        return Stream.of(
                Arguments.of("truncated JSON", valid("").substring(0, 30), "invalid JSON"),
                Arguments.of(
                        "truncated after the object's last value",
                        valid("").substring(0, valid("").length() - 1),
                        "invalid JSON"),
                Arguments.of("array", "[" + valid("") + "]", "not a JSON object (starts with an array)"),
                Arguments.of("string", "\"signup\"", "not a JSON object (starts with a string)"),
                Arguments.of("number", "42", "not a JSON object (starts with a number)"),
                Arguments.of("null", "null", "not a JSON object (starts with null)"),
                Arguments.of("empty", "", "empty record"),
                Arguments.of("only whitespace", "  \t ", "empty record"),
                Arguments.of("missing event", withFields(null, "\"u\"", TS, ""), "missing required field 'event'"),
                Arguments.of(
                        "missing distinct_id",
                        withFields("\"e\"", null, TS, ""),
                        "missing required field 'distinct_id'"),
                Arguments.of(
                        "missing timestamp",
                        withFields("\"e\"", "\"u\"", null, ""),
                        "missing required field 'timestamp'"),
                Arguments.of("empty object", "{}", "missing required field 'event'"),
                Arguments.of("empty event", withFields("\"\"", "\"u\"", TS, ""), "'event' is empty"),
                Arguments.of("empty distinct_id", withFields("\"e\"", "\"\"", TS, ""), "'distinct_id' is empty"),
                Arguments.of(
                        "event as a number",
                        withFields("42", "\"u\"", TS, ""),
                        "'event' must be a string, found a number"),
                Arguments.of("event null", withFields("null", "\"u\"", TS, ""), "'event' must be a string, found null"),
                Arguments.of(
                        "event as an object",
                        withFields("{\"name\":\"e\"}", "\"u\"", TS, ""),
                        "'event' must be a string, found an object"),
                Arguments.of(
                        "distinct_id as a boolean",
                        withFields("\"e\"", "true", TS, ""),
                        "'distinct_id' must be a string or number, found a boolean"),
                Arguments.of(
                        "session_id as an array",
                        valid("\"session_id\":[1]"),
                        "'session_id' must be a string or number, found an array"),
                Arguments.of(
                        "properties as an array",
                        valid("\"properties\":[1,2]"),
                        "'properties' must be an object, found an array"),
                Arguments.of(
                        "properties as a string",
                        valid("\"properties\":\"{}\""),
                        "'properties' must be an object, found a string"),
                Arguments.of(
                        "properties as a number",
                        valid("\"properties\":1"),
                        "'properties' must be an object, found a number"),
                Arguments.of(
                        "timestamp unparseable",
                        withFields("\"e\"", "\"u\"", "\"yesterday\"", ""),
                        "'yesterday' is not ISO-8601 with an offset"),
                Arguments.of(
                        "timestamp without offset",
                        withFields("\"e\"", "\"u\"", "\"2024-05-01T12:00:00\"", ""),
                        "has no UTC offset"),
                Arguments.of(
                        "timestamp as a boolean",
                        withFields("\"e\"", "\"u\"", "true", ""),
                        "'timestamp' must be ISO-8601 text or epoch milliseconds, found a boolean"),
                Arguments.of(
                        "fractional epoch number",
                        withFields("\"e\"", "\"u\"", "1714566896789.5", ""),
                        "must be whole epoch milliseconds"),
                Arguments.of(
                        "epoch number with exponent",
                        withFields("\"e\"", "\"u\"", "1.7e12", ""),
                        "must be whole epoch milliseconds"),
                Arguments.of(
                        "epoch number beyond long",
                        withFields("\"e\"", "\"u\"", "99999999999999999999999", ""),
                        "is out of range"),
                Arguments.of(
                        "timestamp before min_timestamp",
                        withFields("\"e\"", "\"u\"", "\"1999-12-31T23:59:59.999Z\"", ""),
                        "is before limits.min_timestamp 2000-01-01T00:00:00Z"),
                Arguments.of(
                        "epoch seconds instead of ms",
                        withFields("\"e\"", "\"u\"", "1714566896", ""),
                        "is before limits.min_timestamp"),
                Arguments.of(
                        "negative epoch", withFields("\"e\"", "\"u\"", "-1", ""), "is before limits.min_timestamp"),
                Arguments.of(
                        "timestamp too far in the future",
                        withFields("\"e\"", "\"u\"", future, ""),
                        "is more than limits.max_future ahead of the clock"),
                Arguments.of(
                        "raw control character in a required field",
                        withFields("\"sign\tup\"", "\"u\"", TS, ""),
                        "invalid JSON: Illegal unquoted character"),
                Arguments.of(
                        "raw control character in an unselected property",
                        valid("\"properties\":{\"other\":\"a\u0001b\"}"),
                        "invalid JSON: Illegal unquoted character"),
                Arguments.of(
                        "raw newline in an unknown field",
                        valid("\"note\":\"a\nb\""),
                        "invalid JSON: Illegal unquoted character"),
                Arguments.of("trailing garbage", valid("") + " x", "invalid JSON"),
                Arguments.of("a second object", valid("") + " {}", "invalid JSON: content after the object"),
                Arguments.of("trailing brace", valid("") + "}", "invalid JSON"),
                Arguments.of("trailing comma", valid("") + ",", "invalid JSON"),
                Arguments.of("comment", "{/* c */" + valid("").substring(1), "invalid JSON"),
                Arguments.of(
                        "single quotes", "{'event':'e','distinct_id':'u','timestamp':1714566896789}", "invalid JSON"),
                Arguments.of("NaN", withFields("\"e\"", "\"u\"", "NaN", ""), "invalid JSON"),
                Arguments.of(
                        "deep nesting in properties",
                        valid("\"properties\":{\"arr\":" + deep + "}"),
                        "exceeds a parser limit"),
                Arguments.of(
                        "deep nesting in an unselected property",
                        valid("\"properties\":{\"x\":" + deep + "}"),
                        "exceeds a parser limit"),
                Arguments.of("deep nesting in an unknown field", valid("\"x\":" + deep), "exceeds a parser limit"),
                Arguments.of(
                        "event longer than the maximum",
                        withFields("\"" + "e".repeat(EventParser.MAX_FIELD_CHARS + 1) + "\"", "\"u\"", TS, ""),
                        "'event' is longer than 1024 characters"),
                Arguments.of(
                        "distinct_id longer than the maximum",
                        withFields("\"e\"", longId, TS, ""),
                        "'distinct_id' is longer than 1024 characters"),
                Arguments.of(
                        "uuid longer than the maximum",
                        valid("\"uuid\":" + longId),
                        "'uuid' is longer than 1024 characters"),
                Arguments.of(
                        "session_id longer than the maximum",
                        valid("\"session_id\":" + longId),
                        "'session_id' is longer than 1024 characters"),
                Arguments.of(
                        "environment longer than the maximum",
                        valid("\"environment\":" + longId),
                        "'environment' is longer than 1024 characters"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRecords")
    void badRecordBecomesADeadLetterWithASpecificReason(String name, String json, String reason) {
        DeadLetter d = dead(json);
        assertThat(d.reason()).contains(reason);
        assertThat(d.raw()).isEqualTo(json.length() <= LIMITS.deadLetterRawBytes() ? json : d.raw());
    }

    @Test
    void deadLetterReasonMentionsTheOffendingTimestamp() {
        assertThat(dead(withFields("\"e\"", "\"u\"", "1714566896", "")).reason())
                .contains(Instant.ofEpochMilli(1714566896L).toString())
                .contains("epoch milliseconds");
    }

    @Test
    void futureLimitFollowsMaxFuture() {
        EventParser lenient =
                parser(new LimitSettings(1 << 20, 8192, 10_000, LIMITS.minTimestamp(), Duration.ofDays(30)));
        byte[] b = utf8(withFields("\"e\"", "\"u\"", "\"" + Instant.now().plus(Duration.ofDays(3)) + "\"", ""));
        assertThat(lenient.parse(b, 0, b.length, SOURCE, -1, 1).isEvent()).isTrue();
        byte[] near = utf8(withFields("\"e\"", "\"u\"", "\"" + Instant.now().plus(Duration.ofHours(23)) + "\"", ""));
        assertThat(parse(near).isEvent()).isTrue();
    }

    /** A clock the test moves; counts its readings. */
    private static final class MovableClock extends Clock {
        long millis;
        int readings;

        MovableClock(long millis) {
            this.millis = millis;
        }

        @Override
        public long millis() {
            readings++;
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void futureLimitIsDecidedAgainstTheClockAsItIsNow() {
        long t0 = Instant.parse("2026-06-01T00:00:00Z").toEpochMilli();
        long limit = LIMITS.maxFuture().toMillis();
        MovableClock clock = new MovableClock(t0);
        EventParser p = new EventParser("production", new PropertySelection(SELECTED), LIMITS, clock);
        LongFunction<Ingested> at = ts -> {
            byte[] b = utf8(withFields("\"e\"", "\"u\"", Long.toString(ts), ""));
            return p.parse(b, 0, b.length, SOURCE, -1, 1);
        };

        assertThat(at.apply(t0 + limit).isEvent()).as("exactly at the limit").isTrue();
        assertThat(at.apply(t0 + limit + 1).isEvent()).as("one ms beyond it").isFalse();
        // The clock moves on: an event within the limit of the new time, beyond that of the last
        // reading, is accepted, not rejected on the stale reading.
        clock.millis = t0 + 60_000;
        assertThat(at.apply(t0 + limit + 30_000).isEvent()).isTrue();
        assertThat(at.apply(t0 + 60_000 + limit + 1).deadLetter().reason())
                .contains("is more than limits.max_future ahead of the clock");

        // Events within the limit of an earlier reading do not read the clock again, up to the reuse bound.
        int before = clock.readings;
        for (int i = 0; i < 5 * EventParser.CLOCK_READING_USES; i++)
            assertThat(at.apply(t0 + i).isEvent()).isTrue();
        assertThat(clock.readings - before).isBetween(4, 6);
        // A clock set back is noticed within that bound.
        clock.millis = t0 - 120_000;
        int rejected = 0;
        for (int i = 0; i < EventParser.CLOCK_READING_USES + 1; i++) {
            if (!at.apply(t0 - 120_000 + limit + 1).isEvent()) rejected++;
        }
        assertThat(rejected).isPositive();
    }

    // ------------------------------------------------------------------------------------------

    /** A record with {@code bytes} spliced in where "@@" is. */
    private static byte[] splice(String json, String hexBytes) {
        byte[] b = utf8(json);
        byte[] insert = HexFormat.of().parseHex(hexBytes);
        int at = json.indexOf("@@"); // ASCII before it, so char index == byte index
        byte[] out = new byte[b.length - 2 + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + 2, out, at + insert.length, b.length - at - 2);
        return out;
    }

    static Stream<Arguments> invalidUtf8() {
        List<String> sequences = List.of(
                "ff",
                "fe",
                "80",
                "bf", // never valid / stray continuation
                "c328",
                "e282",
                "f09f98", // truncated or broken sequences
                "c0af",
                "c1bf",
                "e080af",
                "f08080af", // overlong encodings (of '/')
                "eda080",
                "edbfbf", // UTF-16 surrogates
                "f4908080",
                "f5808080",
                "f8888080" + "80"); // beyond U+10FFFF
        List<String> places = List.of(
                withFields("\"sign@@up\"", "\"u\"", TS, ""),
                withFields("\"e\"", "\"user@@\"", TS, ""),
                valid("\"properties\":{\"other\":\"a@@b\"}"),
                valid("\"properties\":{\"plan\":\"a@@b\"}"),
                valid("\"properties\":{\"ignored\":{\"k\":[\"@@\"]}}"),
                valid("\"unknown\":\"@@\""));
        return sequences.stream().flatMap(seq -> places.stream().map(p -> Arguments.of(seq, p)));
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("invalidUtf8")
    void invalidUtf8InsideAStringIsADeadLetter(String hex, String template) {
        byte[] record = splice(template, hex);
        DeadLetter d = dead(record);
        assertThat(d.reason()).containsIgnoringCase("UTF-8");
    }

    @Test
    void utf8CheckAgreesWithTheJdkDecoderOnRandomBytes() {
        SplittableRandom r = new SplittableRandom(11);
        int invalid = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] b = new byte[r.nextInt(1, 8)];
            for (int k = 0; k < b.length; k++) {
                // Mostly bytes >= 0x80 so that multi-byte forms (valid and not) are common.
                b[k] = (byte) (r.nextInt(5) == 0 ? r.nextInt(0x80) : r.nextInt(0x80, 0x100));
            }
            ByteBuffer in = ByteBuffer.wrap(b);
            CoderResult result = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(in, CharBuffer.allocate(16), true);
            int expected = result.isError() ? in.position() : -1;
            if (expected >= 0) invalid++;
            int off = r.nextInt(3);
            byte[] shifted = new byte[b.length + off + 1];
            System.arraycopy(b, 0, shifted, off, b.length);
            shifted[shifted.length - 1] = (byte) 0x80; // a stray byte after the range must not matter
            int actual = EventParser.invalidUtf8(shifted, off, b.length);
            if (actual != expected) {
                assertThat(actual)
                        .as("first invalid byte of %s", HexFormat.of().formatHex(b))
                        .isEqualTo(expected);
            }
        }
        assertThat(invalid).isBetween(1_000, 199_000);
    }

    @Test
    void validFourByteCharactersAreAccepted() {
        byte[] record = splice(valid("\"properties\":{\"plan\":\"a@@b\"}"), "f09f9880f48fbfbf");
        Ingested in = parse(record);
        assertThat(in.isEvent()).isTrue();
        assertThat(in.event().property(PLAN)).isEqualTo("a😀" + new String(Character.toChars(0x10FFFF)) + "b");
    }

    // ------------------------------------------------------------------------------------------

    @Nested
    class RawText {
        @Test
        void oversizeRecordIsNotParsedAndKeepsOnlyItsHead() {
            EventParser small = parser(new LimitSettings(300, 100, 10_000, LIMITS.minTimestamp(), Duration.ofDays(1)));
            String json = valid("\"properties\":{\"plan\":\"" + "p".repeat(400) + "\"}");
            byte[] b = utf8(json);
            Ingested in = small.parse(b, 0, b.length, SOURCE, PARTITION, OFFSET);
            DeadLetter d = in.deadLetter();
            assertThat(in.event()).isNull();
            assertThat(d.reason())
                    .contains("record is " + b.length + " bytes")
                    .contains("over limits.max_record_bytes 300");
            assertThat(d.rawBytes()).isEqualTo(b.length);
            assertThat(d.raw()).isEqualTo(json.substring(0, 100));
            assertThat(d.source()).isEqualTo(SOURCE);
            assertThat(d.partition()).isEqualTo(PARTITION);
            assertThat(d.offset()).isEqualTo(OFFSET);
            // Exactly at the limit it is parsed.
            String fits = valid("\"properties\":{\"plan\":\""
                    + "p".repeat(300 - valid("\"properties\":{\"plan\":\"\"}").length()) + "\"}");
            assertThat(utf8(fits)).hasSize(300);
            assertThat(small.parse(utf8(fits), 0, 300, SOURCE, PARTITION, OFFSET)
                            .isEvent())
                    .isTrue();
        }

        @Test
        void oversizeRecordEvenIfItIsNotJson() {
            EventParser small = parser(new LimitSettings(256, 16, 10_000, LIMITS.minTimestamp(), Duration.ofDays(1)));
            byte[] b = new byte[10_000];
            Arrays.fill(b, (byte) 'z');
            DeadLetter d =
                    small.parse(b, 0, b.length, SOURCE, PARTITION, OFFSET).deadLetter();
            assertThat(d.reason()).contains("10000 bytes");
            assertThat(d.raw()).isEqualTo("z".repeat(16));
            assertThat(d.rawBytes()).isEqualTo(10_000);
        }

        /** The longest prefix of {@code s} whose UTF-8 encoding has at most {@code maxBytes} bytes. */
        private String utf8Prefix(String s, int maxBytes) {
            int bytes = 0;
            int i = 0;
            while (i < s.length()) {
                int cp = s.codePointAt(i);
                int n = utf8(new String(Character.toChars(cp))).length;
                if (bytes + n > maxBytes) break;
                bytes += n;
                i += Character.charCount(cp);
            }
            return s.substring(0, i);
        }

        @Test
        void rawIsCutAtACharacterBoundaryForEveryCutPoint() {
            String json = "{\"event\":\"é€😀ü\",\"distinct_id\":\"ß\"}"; // no timestamp: a dead letter
            byte[] b = utf8(json);
            for (int limit = 0; limit <= b.length + 2; limit++) {
                EventParser p =
                        parser(new LimitSettings(1 << 20, limit, 10_000, LIMITS.minTimestamp(), Duration.ofDays(1)));
                DeadLetter d =
                        p.parse(b, 0, b.length, SOURCE, PARTITION, OFFSET).deadLetter();
                assertThat(d.reason()).isEqualTo("missing required field 'timestamp'");
                assertThat(d.raw()).as("limit %d", limit).isEqualTo(utf8Prefix(json, limit));
                assertThat(d.raw()).doesNotContain("\uFFFD");
                assertThat(d.rawBytes()).isEqualTo(b.length);
            }
        }

        @Test
        void oversizeRawIsCutAtACharacterBoundary() {
            String json = "{\"event\":\"" + "€".repeat(200) + "\"}";
            byte[] b = utf8(json);
            for (int limit = 10; limit < 20; limit++) {
                EventParser p =
                        parser(new LimitSettings(256, limit, 10_000, LIMITS.minTimestamp(), Duration.ofDays(1)));
                DeadLetter d =
                        p.parse(b, 0, b.length, SOURCE, PARTITION, OFFSET).deadLetter();
                assertThat(d.reason()).contains("over limits.max_record_bytes");
                assertThat(d.raw()).as("limit %d", limit).isEqualTo(utf8Prefix(json, limit));
            }
        }

        @Test
        void oversizeHeadThatEndsInsideACharacterIsTrimmedWithoutLookingFurther() {
            // A line reader hands over only the head of a huge line; the raw limit can exceed it.
            String text = "ab" + "😀".repeat(10);
            byte[] all = utf8(text);
            for (int head = 0; head <= all.length; head++) {
                for (int limit : new int[] {head, head + 5, 1 << 20}) {
                    EventParser p =
                            parser(new LimitSettings(256, limit, 10_000, LIMITS.minTimestamp(), Duration.ofDays(1)));
                    byte[] onlyHead = Arrays.copyOf(all, head);
                    DeadLetter d = p.oversize(onlyHead, 0, head, 1_000_000, SOURCE, PARTITION, OFFSET)
                            .deadLetter();
                    assertThat(d.raw())
                            .as("head %d limit %d", head, limit)
                            .isEqualTo(utf8Prefix(text, Math.min(head, limit)));
                    assertThat(d.rawBytes()).isEqualTo(1_000_000);
                }
            }
        }

        @Test
        void completeRecordWithABrokenLastCharacterKeepsAllItsBytes() {
            byte[] b = splice("[\"x@@", "e282");
            DeadLetter d = dead(b);
            assertThat(d.raw()).isEqualTo("[\"x\uFFFD");
        }

        @Test
        void rawOfADeadLetterInsideALargerBufferIsOnlyTheRecord() {
            byte[] prefix = utf8("ünrelated€");
            String json = "[\"not an object\"]";
            byte[] record = utf8(json);
            byte[] all = new byte[prefix.length + record.length + 5];
            System.arraycopy(prefix, 0, all, 0, prefix.length);
            System.arraycopy(record, 0, all, prefix.length, record.length);
            all[all.length - 5] = 'X';
            DeadLetter d = PARSER.parse(all, prefix.length, record.length, SOURCE, PARTITION, OFFSET)
                    .deadLetter();
            assertThat(d.raw()).isEqualTo(json);
            assertThat(d.rawBytes()).isEqualTo(record.length);
            assertThat(d.reason()).contains("starts with an array");
        }
    }

    // ------------------------------------------------------------------------------------------

    @Test
    void neverThrowsOnMutatedInput() {
        byte[] base = utf8(valid("\"uuid\":\"a\",\"session_id\":\"s\",\"properties\":{\"plan\":\"pro\",\"price\":1.5,"
                + "\"obj\":{\"a\":[1,\"ü\"]},\"x\":[true,null]}"));
        SplittableRandom r = new SplittableRandom(7);
        byte[] interesting = utf8("{}[]\",:\\ 0-eE.tfn\u00e9\u20ac");
        int events = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] b = base.clone();
            int mutations = 1 + r.nextInt(4);
            int len = b.length;
            for (int m = 0; m < mutations && len > 0; m++) {
                int at = r.nextInt(len);
                switch (r.nextInt(3)) {
                    case 0 -> b[at] = (byte) r.nextInt(256);
                    case 1 -> b[at] = interesting[r.nextInt(interesting.length)];
                    default -> len = at; // truncate
                }
            }
            if (len == 0) continue;
            int off = r.nextInt(3);
            byte[] shifted = new byte[len + off + 2];
            System.arraycopy(b, 0, shifted, off, len);
            Ingested in = PARSER.parse(shifted, off, len, SOURCE, PARTITION, i);
            assertThat(in.isEvent() ^ in.deadLetter() != null).isTrue();
            if (in.isEvent()) {
                events++;
                assertThat(in.event().event()).isNotEmpty();
                assertThat(in.event().distinctId()).isNotEmpty();
            } else {
                assertThat(in.deadLetter().reason()).isNotBlank();
                assertThat(in.deadLetter().offset()).isEqualTo(i);
            }
        }
        assertThat(events).isPositive();
    }
}
