package io.eventagg.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A deterministic corpus of bad and hostile Kafka record values, and of valid events whose values
 * are odd but legal (SQL-looking names, control characters, unicode, numbers and objects as
 * breakdown values, extreme but accepted timestamps, huge property maps). Every record is labelled
 * by construction: bad with the fragment its dead-letter reason must contain, or valid with what it
 * must add to the aggregates.
 */
public final class HostileCorpus {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The day of the odd-but-legal events (UTC). */
    public static final Instant DAY = Instant.parse("2024-05-01T00:00:00Z");

    /**
     * One record value.
     *
     * @param value the bytes (null: a tombstone)
     * @param category what kind of record it is
     * @param reason for bad records, a fragment the dead-letter reason must contain ("" = any); null for valid ones
     * @param event the event name of a valid record
     * @param plan the breakdown value of "plan" a valid record contributes (as stored: JSON text for
     *     non-strings), or null
     * @param timestamp the event time of a valid record
     */
    public record Item(
            byte[] value,
            String category,
            String reason,
            String event,
            String distinctId,
            String plan,
            long timestamp) {
        public boolean bad() {
            return reason != null;
        }
    }

    /** Event names that are data, never SQL or markup: each must come back verbatim. */
    public static final List<String> ODD_NAMES = List.of(
            "'; DROP TABLE ea_timeseries; --",
            "\" OR \"1\"=\"1",
            "Robert'); DROP TABLE students;--",
            "1; DELETE FROM ea_dead_letters WHERE 1=1",
            "x') FORMAT TabSeparated",
            "SELECT * FROM system.users",
            "ea_timeseries",
            "\\N",
            "\\\\N\\t\\n",
            "tab\there",
            "new\nline\r\nand return",
            "nul\u0000byte",
            "control \u0001\u0002\u001b[31m\u001f\u007f",
            "emoji 🎉🚀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ＦＵＬＬ",
            "right-to-left \u202Eevil\u202C and zero\u200Bwidth",
            "combining e\u0301 vs é",
            "<script>alert(1)</script>",
            "${jndi:ldap://127.0.0.1:1/x}",
            "%s%n%x%d %%",
            "`backtick` /* comment */ --",
            "back\\slash \"quotes\" 'single'",
            "$other",
            "null",
            " ",
            "x".repeat(1024));

    /** Breakdown values (of "plan") that odd events carry: strings are stored as they are. */
    public static final List<Object> ODD_PLANS = List.of(
            "'; DROP TABLE ea_activity; --",
            "\\N",
            "",
            "tab\tnew\nline",
            "nul\u0000",
            "日本語 🎉",
            "$other",
            "y".repeat(1000),
            "z".repeat(1001),
            42,
            -0.5e-7,
            true,
            Map.of("nested", List.of(1, "two", Map.of("three", 3))));

    public final List<Item> items = new ArrayList<>();
    private final Random random;

    public HostileCorpus(long seed, long nowMs) {
        random = new Random(seed);
        oddButLegal(nowMs);
        randomBytes(2500);
        invalidUtf8(1500);
        deepNesting(600);
        wrongTypes(2500);
        rawControlCharacters(600);
        badTimestamps(nowMs, 1200);
        oversize();
        malformed(1000);
        badFieldValues(200);
    }

    public List<Item> bad() {
        return items.stream().filter(Item::bad).toList();
    }

    public List<Item> valid() {
        return items.stream().filter(i -> !i.bad()).toList();
    }

    // ----------------------------------------------------------------------------------------- valid

    private void oddButLegal(long nowMs) {
        int n = 0;
        for (int e = 0; e < ODD_NAMES.size(); e++) {
            String name = ODD_NAMES.get(e);
            int copies = 2 + e % 4;
            for (int c = 0; c < copies; c++) {
                Object plan = ODD_PLANS.get((e + c) % ODD_PLANS.size());
                long ts = DAY.toEpochMilli() + (e * 60L + c) * 1000L;
                String id = c == 0 ? ODD_NAMES.get((e + 3) % ODD_NAMES.size()) : "user-" + c;
                valid("odd name", name, id, ts, props("plan", plan, "country", name), storedText(plan));
                n++;
            }
        }
        // Distinct ids that are numbers are taken as their text.
        validRaw(
                "numeric id",
                "{\"event\":\"numeric_id\",\"distinct_id\":12345,\"timestamp\":" + (DAY.toEpochMilli() + 5) + "}",
                "numeric_id",
                "12345",
                null,
                DAY.toEpochMilli() + 5);
        validRaw(
                "numeric id",
                "{\"event\":\"numeric_id\",\"distinct_id\":1.5e3,\"timestamp\":" + (DAY.toEpochMilli() + 6) + "}",
                "numeric_id",
                "1.5e3",
                null,
                DAY.toEpochMilli() + 6);
        // Timestamps at the edges that are still accepted.
        long min = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();
        valid("edge timestamp", "edge_min", "u", min, props("plan", "min"), "min");
        validRaw(
                "edge timestamp",
                "{\"event\":\"edge_min\",\"distinct_id\":\"u\",\"timestamp\":\"2000-01-01T05:30:00+05:30\"}",
                "edge_min",
                "u",
                null,
                min);
        long future = nowMs + 23 * 3_600_000L;
        valid("edge timestamp", "edge_future", "u", future, props(), null);
        validRaw(
                "edge timestamp",
                "{\"event\":\"edge_forms\",\"distinct_id\":\"u\",\"timestamp\":\"2024-05-01T13:59:59.999999999+14:00\"}",
                "edge_forms",
                "u",
                null,
                Instant.parse("2024-04-30T23:59:59.999Z").toEpochMilli());
        validRaw(
                "edge timestamp",
                "{\"event\":\"edge_forms\",\"distinct_id\":\"u\",\"timestamp\":\"2024-04-30T12:00:00-12:00\"}",
                "edge_forms",
                "u",
                null,
                Instant.parse("2024-05-01T00:00:00Z").toEpochMilli());
        // Legal nesting (within the parser's depth limit) in a property that is not selected.
        for (int i = 0; i < 20; i++) {
            String deep = "[".repeat(150) + "]".repeat(150);
            validRaw(
                    "deep but legal",
                    "{\"event\":\"deep_ok\",\"distinct_id\":\"u" + i + "\",\"timestamp\":" + (DAY.toEpochMilli() + i)
                            + ",\"properties\":{\"x\":" + deep + ",\"plan\":\"p\"}}",
                    "deep_ok",
                    "u" + i,
                    "p",
                    DAY.toEpochMilli() + i);
        }
        // Huge property maps under the record limit: 20,000 keys, the selected ones last.
        for (int i = 0; i < 5; i++) {
            StringBuilder sb = new StringBuilder("{\"event\":\"huge_map\",\"distinct_id\":\"u" + i + "\",\"timestamp\":"
                    + (DAY.toEpochMilli() + i) + ",\"properties\":{");
            for (int k = 0; k < 20_000; k++)
                sb.append("\"k").append(k).append("\":").append(k).append(',');
            sb.append("\"plan\":\"big\"}}");
            validRaw("huge property map", sb.toString(), "huge_map", "u" + i, "big", DAY.toEpochMilli() + i);
        }
        // One bucket with far more distinct breakdown values than any bucket keeps.
        for (int i = 0; i < 3000; i++) {
            valid(
                    "high cardinality",
                    "wide",
                    "w" + (i % 50),
                    DAY.toEpochMilli() + 3_600_000L + i,
                    props("plan", "v" + i),
                    "v" + i);
        }
        // A long but accepted property value (900 KB; breakdown values over 1,000 characters count as $other).
        valid(
                "long value",
                "long_value",
                "u",
                DAY.toEpochMilli() + 7,
                props("plan", "L".repeat(900_000)),
                "L".repeat(900_000));
    }

    /** The text a breakdown stores for a property value: strings as they are, anything else as its JSON text. */
    static String storedText(Object v) {
        if (v instanceof String s) return s;
        try {
            return JSON.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> props(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    private void valid(String category, String event, String id, long ts, Map<String, Object> properties, String plan) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("event", event);
        e.put("distinct_id", id);
        e.put("timestamp", Instant.ofEpochMilli(ts).toString());
        e.put("uuid", "uuid-" + items.size());
        if (!properties.isEmpty()) e.put("properties", properties);
        try {
            items.add(new Item(JSON.writeValueAsBytes(e), category, null, event, id, plan, ts));
        } catch (JsonProcessingException x) {
            throw new IllegalStateException(x);
        }
    }

    private void validRaw(String category, String json, String event, String id, String plan, long ts) {
        items.add(new Item(json.getBytes(StandardCharsets.UTF_8), category, null, event, id, plan, ts));
    }

    // ------------------------------------------------------------------------------------------- bad

    private void bad(String category, byte[] value, String reason) {
        items.add(new Item(value, category, reason, null, null, null, 0));
    }

    private void bad(String category, String value, String reason) {
        bad(category, value.getBytes(StandardCharsets.UTF_8), reason);
    }

    private String validPrefix() {
        return "{\"event\":\"e\",\"distinct_id\":\"u\",\"timestamp\":\"2024-05-01T00:00:00Z\"";
    }

    private void randomBytes(int n) {
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[1 + random.nextInt(i % 10 == 0 ? 20_000 : 300)];
            random.nextBytes(b);
            if (b[0] == '{') b[0] = 0; // never accidentally a JSON object
            bad("random bytes", b, "");
        }
    }

    private static final byte[][] BAD_UTF8 = {
        {(byte) 0xC0, (byte) 0xAF},
        {(byte) 0x80},
        {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
        {(byte) 0xFF},
        {(byte) 0xFE, (byte) 0xFF},
        {(byte) 0xE2, (byte) 0x82},
        {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
        {(byte) 0xC3},
        {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}
    };

    private void invalidUtf8(int n) {
        String[] templates = {
            "{\"event\":\"%s\",\"distinct_id\":\"u\",\"timestamp\":\"2024-05-01T00:00:00Z\"}",
            "{\"event\":\"e\",\"distinct_id\":\"%s\",\"timestamp\":\"2024-05-01T00:00:00Z\"}",
            "{\"event\":\"e\",\"distinct_id\":\"u\",\"timestamp\":\"2024-05-01T00:00:00Z\",\"properties\":{\"plan\":\"%s\"}}",
            "{\"event\":\"e\",\"distinct_id\":\"u\",\"timestamp\":\"2024-05-01T00:00:00Z\",\"properties\":{\"unselected\":\"%s\"}}",
            "{\"event\":\"e\",\"distinct_id\":\"u\",\"timestamp\":\"2024-05-01T00:00:00Z\",\"ignored_field\":[\"%s\"]}",
            "{\"event\":\"e\",\"distinct_id\":\"u\",\"timestamp\":\"2024-05-01T00:00:00Z\",\"environment\":\"%s\"}",
        };
        for (int i = 0; i < n; i++) {
            String t = templates[i % templates.length];
            byte[] seq = BAD_UTF8[(i / templates.length) % BAD_UTF8.length];
            int at = t.indexOf("%s");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] head = (t.substring(0, at) + "ok" + i).getBytes(StandardCharsets.UTF_8);
            out.write(head, 0, head.length);
            out.write(seq, 0, seq.length);
            byte[] tail = ("x" + t.substring(at + 2)).getBytes(StandardCharsets.UTF_8);
            out.write(tail, 0, tail.length);
            bad("invalid UTF-8", out.toByteArray(), "UTF-8");
        }
    }

    private void deepNesting(int n) {
        for (int i = 0; i < n; i++) {
            int depth = 201 + random.nextInt(i % 20 == 0 ? 100_000 : 2_000);
            String open = i % 2 == 0 ? "[".repeat(depth) : "{\"a\":".repeat(depth);
            String close = i % 2 == 0 ? "]".repeat(depth) : "}".repeat(depth);
            switch (i % 3) {
                case 0 ->
                    bad(
                            "deep nesting",
                            validPrefix() + ",\"properties\":{\"plan\":" + open + "1" + close + "}}",
                            "nesting");
                case 1 -> bad("deep nesting", validPrefix() + ",\"ignored\":" + open + "1" + close + "}", "nesting");
                default ->
                    bad(
                            "deep nesting",
                            validPrefix() + ",\"properties\":{\"unselected\":" + open + "1" + close + "}}",
                            "nesting");
            }
        }
    }

    private void wrongTypes(int n) {
        String[] wrong = {"123", "1.5", "true", "null", "[]", "[\"x\"]", "{}", "{\"a\":1}"};
        String[][] fields = {
            // field, values that are wrong for it (indexes into wrong)
            {"event", "0,1,2,3,4,5,6,7"},
            {"distinct_id", "2,3,4,5,6,7"},
            {"timestamp", "1,2,3,4,5,6,7"},
            {"properties", "0,1,2,4,5"},
            {"environment", "2,4,5,6,7"},
            {"session_id", "2,4,5,6,7"},
            {"uuid", "2,4,5,6,7"}
        };
        int i = 0;
        while (i < n) {
            for (String[] f : fields) {
                for (String idx : f[1].split(",")) {
                    if (i >= n) return;
                    Map<String, String> e = new LinkedHashMap<>();
                    e.put("event", "\"e\"");
                    e.put("distinct_id", "\"u" + i + "\"");
                    e.put("timestamp", "\"2024-05-01T00:00:00Z\"");
                    e.put(f[0], wrong[Integer.parseInt(idx)]);
                    StringBuilder sb = new StringBuilder("{");
                    e.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "")
                            .append('"')
                            .append(k)
                            .append("\":")
                            .append(v));
                    bad("wrong type", sb.append('}').toString(), f[0]);
                    i++;
                }
            }
        }
    }

    private void rawControlCharacters(int n) {
        for (int i = 0; i < n; i++) {
            char c = (char) (1 + random.nextInt(31));
            String field = i % 2 == 0 ? "event" : "distinct_id";
            String json = "{\"event\":\"e\",\"distinct_id\":\"u\",\"timestamp\":\"2024-05-01T00:00:00Z\"}"
                    .replace(
                            "\"" + field + "\":\"" + (field.equals("event") ? "e" : "u") + "\"",
                            "\"" + field + "\":\"a" + c + "b\"");
            bad("raw control character", json, "invalid JSON");
        }
    }

    private void badTimestamps(long nowMs, int n) {
        String[] values = {
            String.valueOf(Long.MIN_VALUE),
            String.valueOf(Long.MAX_VALUE),
            "9223372036854775808",
            "-9223372036854775809",
            "-1",
            "0",
            "946684799999",
            String.valueOf(nowMs + 86_400_000L + 3_600_000L),
            "1e308",
            "1.0",
            "-0",
            "1" + "0".repeat(500),
            "\"+999999999-12-31T23:59:59Z\"",
            "\"-999999999-01-01T00:00:00Z\"",
            "\"1999-12-31T23:59:59.999Z\"",
            "\"2024-02-30T00:00:00Z\"",
            "\"2024-01-15T14:32:45\"",
            "\"\"",
            "\"now\"",
            "\"2024-01-15T25:00:00Z\"",
            "\"2024-13-01T00:00:00Z\"",
            "\"9999-12-31T23:59:59Z\"",
            "\"2024-01-15T14:32:45+25:00\"",
            "\"1705329165000\"",
            "\"0000-01-01T00:00:00Z\""
        };
        for (int i = 0; i < n; i++) {
            bad(
                    "timestamp",
                    "{\"event\":\"e\",\"distinct_id\":\"u\",\"timestamp\":" + values[i % values.length] + "}",
                    "");
        }
    }

    private void oversize() {
        for (int mb : new int[] {10, 10, 10, 2, 2}) {
            String big = "B".repeat(mb << 20);
            bad("oversize", validPrefix() + ",\"properties\":{\"plan\":\"" + big + "\"}}", "max_record_bytes");
        }
        StringBuilder map = new StringBuilder(validPrefix() + ",\"properties\":{");
        for (int k = 0; k < 120_000; k++) map.append("\"key").append(k).append("\":\"value\",");
        map.append("\"plan\":\"x\"}}");
        for (int i = 0; i < 3; i++) bad("oversize property map", map.toString(), "max_record_bytes");
    }

    private void malformed(int n) {
        String[] values = {
            "",
            " ",
            "\t\r",
            "null",
            "[]",
            "\"string\"",
            "42",
            "true",
            "{",
            "{\"event\":\"e\"",
            "{\"event\":\"e\",}",
            validPrefix() + "} trailing",
            validPrefix() + "}" + validPrefix() + "}",
            validPrefix() + ",\"properties\":{\"plan\":}}",
            "{'event':'e'}",
            "{event:\"e\"}",
            validPrefix().replace("{", "[") + "]",
            "\uFEFF\uFEFF" + validPrefix() + "}"
        };
        for (int i = 0; i < n; i++) bad("malformed", values[i % values.length], "");
        for (int i = 0; i < 20; i++) items.add(new Item(null, "tombstone", "", null, null, null, 0));
    }

    private void badFieldValues(int n) {
        String[] values = {
            "{\"distinct_id\":\"u\",\"timestamp\":\"2024-05-01T00:00:00Z\"}",
            "{\"event\":\"e\",\"timestamp\":\"2024-05-01T00:00:00Z\"}",
            "{\"event\":\"e\",\"distinct_id\":\"u\"}",
            "{\"event\":\"\",\"distinct_id\":\"u\",\"timestamp\":\"2024-05-01T00:00:00Z\"}",
            "{\"event\":\"e\",\"distinct_id\":\"\",\"timestamp\":\"2024-05-01T00:00:00Z\"}",
            "{\"event\":\"" + "x".repeat(1025) + "\",\"distinct_id\":\"u\",\"timestamp\":\"2024-05-01T00:00:00Z\"}",
            "{\"event\":\"e\",\"distinct_id\":\"" + "x".repeat(5000) + "\",\"timestamp\":\"2024-05-01T00:00:00Z\"}",
            "{\"event\":\"e\",\"distinct_id\":\"u\",\"timestamp\":\"2024-05-01T00:00:00Z\",\"environment\":\""
                    + "x".repeat(2000) + "\"}"
        };
        for (int i = 0; i < n; i++) bad("missing or bad field", values[i % values.length], "");
    }
}
