package io.eventagg.filter;

import static io.eventagg.filter.PropertyKind.ABSENT;
import static io.eventagg.filter.PropertyKind.BOOLEAN;
import static io.eventagg.filter.PropertyKind.JSON;
import static io.eventagg.filter.PropertyKind.NULL;
import static io.eventagg.filter.PropertyKind.NUMBER;
import static io.eventagg.filter.PropertyKind.STRING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.eventagg.config.ConfigNode;
import io.eventagg.config.FilterParser;
import io.eventagg.config.FunnelStep;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.ingest.Event;
import io.eventagg.ingest.EventParser;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class PropertyFilterTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON_READER = new ObjectMapper();

    /** Like {@link #filter} with a JSON value (much faster to read, for the randomized tests). */
    static PropertyFilter jsonFilter(String operator, String valueJson) {
        String json = "{\"property\":\"p\",\"operator\":\"" + operator + "\""
                + (valueJson == null ? "" : ",\"value\":" + valueJson) + "}";
        try {
            return FilterParser.parse(new ConfigNode(JSON_READER.readTree(json), "filter"));
        } catch (IOException e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    /** A filter on property "p" from its YAML operator and value, e.g. {@code filter("gt", "5")}. */
    static PropertyFilter filter(String operator, String valueYaml) {
        String yaml = "{property: p, operator: " + operator + (valueYaml == null ? "" : ", value: " + valueYaml) + "}";
        try {
            return FilterParser.parse(new ConfigNode(YAML.readTree(yaml), "filter"));
        } catch (IOException e) {
            throw new IllegalArgumentException(yaml, e);
        }
    }

    private static final byte[] PRESENT_KINDS = {STRING, NUMBER, BOOLEAN, NULL, JSON};

    static Stream<Arguments> cases() {
        return Stream.of(
                // eq / neq: numbers numerically when both sides are numbers, otherwise text.
                Arguments.of("eq", "5", "5", NUMBER, true),
                Arguments.of("eq", "5", "5.00", NUMBER, true),
                Arguments.of("eq", "5", "5e0", NUMBER, true),
                Arguments.of("eq", "5", "-5", NUMBER, false),
                Arguments.of("eq", "5.0", "5", NUMBER, true),
                Arguments.of("eq", "0", "-0.0", NUMBER, true),
                Arguments.of("eq", "5", "5", STRING, true), // text "5" = "5"
                Arguments.of("eq", "5", "5.0", STRING, false), // a string is compared as text
                Arguments.of("eq", "'5'", "5.0", NUMBER, false), // a quoted value is text
                Arguments.of("eq", "'5'", "5", NUMBER, true),
                Arguments.of("eq", "pro", "pro", STRING, true),
                Arguments.of("eq", "pro", "Pro", STRING, false),
                Arguments.of("eq", "pro", "pro ", STRING, false),
                Arguments.of("eq", "true", "true", BOOLEAN, true),
                Arguments.of("eq", "true", "false", BOOLEAN, false),
                Arguments.of("eq", "true", "true", STRING, true),
                Arguments.of("eq", "'{\"a\":1}'", "{\"a\":1}", JSON, true),
                Arguments.of("eq", "pro", null, ABSENT, false),
                Arguments.of("neq", "pro", "pro", STRING, false),
                Arguments.of("neq", "pro", "free", STRING, true),
                Arguments.of("neq", "5", "5.0", NUMBER, false),
                Arguments.of("neq", "5", "5.0", STRING, true),
                Arguments.of("neq", "pro", null, ABSENT, true),
                // gt/gte/lt/lte: numeric properties, or strings that parse as numbers.
                Arguments.of("gt", "5", "5.01", NUMBER, true),
                Arguments.of("gt", "5", "5", NUMBER, false),
                Arguments.of("gt", "5", "1e1", NUMBER, true),
                Arguments.of("gt", "5", "10", STRING, true),
                Arguments.of("gt", "5", " 10 ", STRING, true),
                Arguments.of("gt", "5", "ten", STRING, false),
                Arguments.of("gt", "5", "", STRING, false),
                Arguments.of("gt", "0", "true", BOOLEAN, false),
                Arguments.of("gt", "0", "[1]", JSON, false),
                Arguments.of("gt", "0", "null", NULL, false),
                Arguments.of("gt", "0", null, ABSENT, false),
                Arguments.of("gte", "5", "5.000", NUMBER, true),
                Arguments.of("gte", "5", "4.999", STRING, false),
                Arguments.of("lt", "-1.5", "-2", NUMBER, true),
                Arguments.of("lt", "-1.5", "-1.5", NUMBER, false),
                Arguments.of("lt", "100", "99", STRING, true),
                Arguments.of("lte", "100", "1e2", STRING, true),
                Arguments.of("lte", "100", "100.0001", NUMBER, false),
                Arguments.of("lte", "100", null, ABSENT, false),
                // contains / not_contains: the property's text.
                Arguments.of("contains", "lo w", "hello world", STRING, true),
                Arguments.of("contains", "LO", "hello", STRING, false),
                Arguments.of("contains", "234", "12345", NUMBER, true),
                Arguments.of("contains", "\"a\"", "{\"a\":1}", JSON, true),
                Arguments.of("contains", "x", null, ABSENT, false),
                Arguments.of("not_contains", "x", "abc", STRING, true),
                Arguments.of("not_contains", "b", "abc", STRING, false),
                Arguments.of("not_contains", "x", null, ABSENT, true),
                // regex / not_regex: find anywhere.
                Arguments.of("regex", "b", "abc", STRING, true),
                Arguments.of("regex", "'^b'", "abc", STRING, false),
                Arguments.of("regex", "'^a.c$'", "abc", STRING, true),
                Arguments.of("regex", "'^20'", "2024", NUMBER, true),
                Arguments.of("regex", "'(?i)ABC'", "xabcx", STRING, true),
                Arguments.of("regex", "a", null, ABSENT, false),
                Arguments.of("not_regex", "b", "abc", STRING, false),
                Arguments.of("not_regex", "'^b'", "abc", STRING, true),
                Arguments.of("not_regex", "a", null, ABSENT, true),
                // in / not_in: each element like eq.
                Arguments.of("in", "[pro, 3, true]", "pro", STRING, true),
                Arguments.of("in", "[pro, 3, true]", "3.0", NUMBER, true),
                Arguments.of("in", "[pro, 3, true]", "3", STRING, true),
                Arguments.of("in", "[pro, 3, true]", "3.0", STRING, false),
                Arguments.of("in", "[pro, 3, true]", "true", BOOLEAN, true),
                Arguments.of("in", "[pro, 3, true]", "free", STRING, false),
                Arguments.of("in", "[pro, 3, true]", null, ABSENT, false),
                Arguments.of("not_in", "[pro, 3]", "free", STRING, true),
                Arguments.of("not_in", "[pro, 3]", "3e0", NUMBER, false),
                Arguments.of("not_in", "[pro, 3]", null, ABSENT, true),
                // is_set / is_not_set.
                Arguments.of("is_set", null, "", STRING, true),
                Arguments.of("is_set", null, "0", NUMBER, true),
                Arguments.of("is_set", null, null, ABSENT, false),
                Arguments.of("is_not_set", null, "x", STRING, false),
                Arguments.of("is_not_set", null, null, ABSENT, true));
    }

    @ParameterizedTest(name = "{0} {1} on {3}:{2} -> {4}")
    @MethodSource("cases")
    void operatorSemantics(String operator, String value, String property, byte kind, boolean expected) {
        assertThat(filter(operator, value).test(property, kind)).isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(FilterOperator.class)
    void absentMatchesExactlyTheNegativeOperators(FilterOperator op) {
        String value = switch (op) {
            case GT, GTE, LT, LTE -> "1";
            case IN, NOT_IN -> "[a]";
            case IS_SET, IS_NOT_SET -> null;
            default -> "a";
        };
        boolean negative = op == FilterOperator.NEQ
                || op == FilterOperator.NOT_CONTAINS
                || op == FilterOperator.NOT_REGEX
                || op == FilterOperator.NOT_IN
                || op == FilterOperator.IS_NOT_SET;
        PropertyFilter f = filter(op.id(), value);
        assertThat(f.operator()).isEqualTo(op);
        assertThat(f.property()).isEqualTo("p");
        assertThat(f.test(null, ABSENT)).isEqualTo(negative);
        assertThat(op.matchesAbsent()).isEqualTo(negative);
        assertThat(FilterOperator.parse(op.id())).isEqualTo(op);
    }

    @Test
    void negativeOperatorsAreTheComplementForPresentValues() {
        SplittableRandom r = new SplittableRandom(3);
        String[] pool = {
            "pro", "Pro", "3", "3.0", "-0", "1e2", "100", "true", "false", "null", "{\"a\":1}", "[1,2]", "", "a b", "é"
        };
        String[][] pairs = {
            {"eq", "neq"},
            {"contains", "not_contains"},
            {"regex", "not_regex"},
            {"in", "not_in"},
            {"is_set", "is_not_set"}
        };
        for (int i = 0; i < 5_000; i++) {
            String[] pair = pairs[r.nextInt(pairs.length)];
            String v = pool[r.nextInt(pool.length)];
            String value = switch (pair[0]) {
                case "in" -> "[" + jsonScalar(v) + ", " + jsonScalar(pool[r.nextInt(pool.length)]) + "]";
                case "is_set" -> null;
                case "regex" -> JSON_READER.valueToTree(Pattern.quote(v)).toString();
                default -> jsonScalar(v);
            };
            String property = pool[r.nextInt(pool.length)];
            byte kind = PRESENT_KINDS[r.nextInt(PRESENT_KINDS.length)];
            boolean positive = jsonFilter(pair[0], value).test(property, kind);
            boolean negative = jsonFilter(pair[1], value).test(property, kind);
            if (negative == positive) {
                assertThat(negative)
                        .as("%s/%s %s on %s", pair[0], pair[1], value, property)
                        .isEqualTo(!positive);
            }
        }
    }

    private static String jsonScalar(String s) {
        // Numbers and booleans as JSON numbers and booleans, text as a JSON string.
        if (s.matches("-?\\d+(\\.\\d+)?|true|false")) return s;
        return JSON_READER.valueToTree(s).toString();
    }

    @Test
    void comparisonsAgreeWithBigDecimalOnRandomNumbers() {
        SplittableRandom r = new SplittableRandom(17);
        String[] ops = {"gt", "gte", "lt", "lte", "eq", "neq"};
        for (int i = 0; i < 20_000; i++) {
            BigDecimal a = randomDecimal(r);
            BigDecimal b = r.nextInt(4) == 0 ? a : randomDecimal(r);
            String op = ops[r.nextInt(ops.length)];
            // The same property value in different JSON spellings.
            String text = switch (r.nextInt(3)) {
                case 0 -> a.toPlainString();
                case 1 -> a.toString();
                default -> a.setScale(a.scale() + 2, RoundingMode.UNNECESSARY).toPlainString();
            };
            boolean asString = (op.startsWith("g") || op.startsWith("l")) && r.nextBoolean();
            int c = a.compareTo(b);
            boolean expected = switch (op) {
                case "gt" -> c > 0;
                case "gte" -> c >= 0;
                case "lt" -> c < 0;
                case "lte" -> c <= 0;
                case "eq" -> c == 0;
                default -> c != 0;
            };
            boolean actual = jsonFilter(op, b.toPlainString()).test(text, asString ? STRING : NUMBER);
            if (actual != expected) {
                assertThat(actual)
                        .as("%s %s %s (%s)", text, op, b.toPlainString(), asString ? "string" : "number")
                        .isEqualTo(expected);
            }
        }
    }

    /** Up to 12 significant digits, so the number survives being read as a double. */
    private static BigDecimal randomDecimal(SplittableRandom r) {
        long unscaled = r.nextLong(-999_999_999_999L, 1_000_000_000_000L) / (long) Math.pow(10, r.nextInt(12));
        return BigDecimal.valueOf(unscaled, r.nextInt(-3, 7));
    }

    @Test
    void invalidFiltersAreRejectedWithTheValuePath() {
        assertThatThrownBy(() -> filter("gt", "'5'"))
                .hasMessageStartingWith("filter.value: operator gt needs a number");
        assertThatThrownBy(() -> filter("regex", "'[a-'"))
                .hasMessageStartingWith("filter.value: regular expression does not compile");
        assertThatThrownBy(() -> filter("in", "5"))
                .hasMessageStartingWith("filter.value: operator in needs a non-empty list");
        assertThatThrownBy(() -> filter("in", "[a, null]")).hasMessageStartingWith("filter.value[1]:");
        assertThatThrownBy(() -> filter("contains", "[a]"))
                .hasMessageStartingWith("filter.value: operator contains needs a text value");
        assertThatThrownBy(() -> filter("eq", "null")).hasMessageStartingWith("filter.value: operator eq needs");
        assertThatThrownBy(() -> filter("EQ", "1")).hasMessageStartingWith("filter.operator: unknown operator 'EQ'");
        assertThat(FilterOperator.parse("nope")).isNull();
    }

    // ------------------------------------------------------------------------------------------

    @Nested
    class EventMatcherTest {
        private final PropertySelection selection = new PropertySelection(List.of("country", "plan", "price"));

        private final EventMatcher matcher = new EventMatcher(
                "purchase", List.of(filterOn("price", "gte", "10"), filterOn("plan", "in", "[pro, team]")), selection);

        private PropertyFilter filterOn(String property, String op, String value) {
            String yaml = "{property: " + property + ", operator: " + op + ", value: " + value + "}";
            try {
                return FilterParser.parse(new ConfigNode(YAML.readTree(yaml), "f"));
            } catch (IOException e) {
                throw new IllegalArgumentException(e);
            }
        }

        @Test
        void requiresTheEventNameAndEveryFilter() {
            assertThat(matcher.event()).isEqualTo("purchase");
            String[] values = {"DE", "pro", "19.99"};
            byte[] kinds = {STRING, STRING, NUMBER};
            assertThat(matcher.matches("purchase", values, kinds)).isTrue();
            assertThat(matcher.matches("Purchase", values, kinds)).isFalse();
            assertThat(matcher.matches("refund", values, kinds)).isFalse();
            assertThat(matcher.matches("purchase", new String[] {"DE", "free", "19.99"}, kinds))
                    .isFalse();
            assertThat(matcher.matches("purchase", new String[] {"DE", "team", "9.99"}, kinds))
                    .isFalse();
            assertThat(matcher.matches(
                            "purchase", new String[] {"DE", "team", "10"}, new byte[] {STRING, STRING, STRING}))
                    .isTrue();
            assertThat(matcher.matches(
                            "purchase", new String[] {"DE", "pro", null}, new byte[] {STRING, STRING, ABSENT}))
                    .isFalse();
            // Properties the filters do not read do not matter.
            assertThat(matcher.matches(
                            "purchase", new String[] {null, "pro", "10"}, new byte[] {ABSENT, STRING, NUMBER}))
                    .isTrue();
        }

        @Test
        void withoutFiltersOnlyTheNameMatters() {
            EventMatcher any = new EventMatcher("signup", List.of(), selection);
            assertThat(any.matches("signup", new String[3], new byte[3])).isTrue();
            assertThat(any.matches("signup ", new String[3], new byte[3])).isFalse();
        }

        @Test
        void negativeFilterMatchesAnEventWithoutTheProperty() {
            EventMatcher m = new EventMatcher("view", List.of(filterOn("country", "neq", "DE")), selection);
            assertThat(m.matches("view", new String[3], new byte[3])).isTrue();
            assertThat(m.matches("view", new String[] {"DE", null, null}, new byte[] {STRING, ABSENT, ABSENT}))
                    .isFalse();
        }

        @Test
        void aFilterOnAnUnselectedPropertyIsAProgrammingError() {
            assertThatThrownBy(() -> new EventMatcher("view", List.of(filterOn("missing", "eq", "x")), selection))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("missing");
        }

        @Test
        void matchesEventsParsedWithTheJobsSelection() {
            JobDefinition job = JobLoader.parse("""
                    name: m
                    breakdowns: [country]
                    funnels:
                      - name: f
                        steps:
                          - event: view
                            filters: [{property: path, operator: regex, value: "^/pricing"}]
                          - event: purchase
                            filters:
                              - {property: price, operator: gt, value: 10}
                              - {property: plan, operator: not_in, value: [free]}
                    """);
            PropertySelection sel = job.propertySelection();
            assertThat(sel.keys()).containsExactly("country", "path", "price", "plan");
            EventParser parser = EventParser.forJob(job);
            List<FunnelStep> steps = job.funnels().get(0).steps();
            EventMatcher view =
                    new EventMatcher(steps.get(0).event(), steps.get(0).filters(), sel);
            EventMatcher purchase =
                    new EventMatcher(steps.get(1).event(), steps.get(1).filters(), sel);

            assertThat(matches(parser, view, "view", "{\"path\":\"/pricing/team\"}"))
                    .isTrue();
            assertThat(matches(parser, view, "view", "{\"path\":\"/home\"}")).isFalse();
            assertThat(matches(parser, view, "view", "{}")).isFalse();
            assertThat(matches(parser, purchase, "purchase", "{\"price\":12.5}"))
                    .isTrue(); // plan absent: not_in holds
            assertThat(matches(parser, purchase, "purchase", "{\"price\":\"12.5\",\"plan\":\"pro\"}"))
                    .isTrue();
            assertThat(matches(parser, purchase, "purchase", "{\"price\":12.5,\"plan\":\"free\"}"))
                    .isFalse();
            assertThat(matches(parser, purchase, "purchase", "{\"price\":10,\"plan\":\"pro\"}"))
                    .isFalse();
            assertThat(matches(parser, purchase, "purchase", "{\"price\":{\"amount\":99}}"))
                    .isFalse();
            assertThat(matches(parser, purchase, "view", "{\"price\":99}")).isFalse();
        }

        private boolean matches(EventParser parser, EventMatcher m, String event, String properties) {
            String json = String.format(
                    Locale.ROOT,
                    "{\"event\":\"%s\",\"distinct_id\":\"u\",\"timestamp\":\"2024-05-01T00:00:00Z\",\"properties\":%s}",
                    event,
                    properties);
            byte[] b = json.getBytes(StandardCharsets.UTF_8);
            Event e = parser.parse(b, 0, b.length, "test", -1, 1).event();
            assertThat(e).as(json).isNotNull();
            return m.matches(e.event(), e.propertyValues(), e.propertyKinds());
        }
    }
}
