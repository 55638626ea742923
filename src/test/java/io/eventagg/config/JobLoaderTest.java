package io.eventagg.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.eventagg.filter.FilterOperator;
import io.eventagg.time.Granularity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class JobLoaderTest {

    @TempDir
    Path dir;

    private static Path exampleJob() {
        // Surefire runs in the module directory.
        Path p = Path.of("jobs", "example.yaml");
        assertThat(p).exists();
        return p;
    }

    @Test
    void exampleJobLoads() {
        JobDefinition job = JobLoader.load(exampleJob());
        assertThat(job.name()).isEqualTo("example");
        assertThat(job.timezone()).isEqualTo(ZoneId.of("UTC"));
        assertThat(job.defaultEnvironment()).isEqualTo("production");
        assertThat(job.granularities())
                .containsExactly(
                        Granularity.MINUTE, Granularity.HOUR, Granularity.DAY, Granularity.WEEK, Granularity.MONTH);
        assertThat(job.events()).isEmpty();
        assertThat(job.breakdowns()).containsExactly("plan", "country");
        assertThat(job.breakdownLimit()).isEqualTo(100);
        assertThat(job.watermark().outOfOrderness()).isEqualTo(Duration.ofSeconds(30));
        assertThat(job.watermark().allowedLateness()).isEqualTo(Duration.ofHours(1));
        assertThat(job.watermark().emitInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(job.watermark().idleness()).isEqualTo(Duration.ofMinutes(1));
        assertThat(job.funnels()).extracting(f -> f.name()).containsExactly("pricing_to_purchase", "onboarding");
        assertThat(job.funnels().get(0).exclusions()).hasSize(1);
        assertThat(job.retention()).extracting(r -> r.name()).containsExactly("weekly_signup_retention");
        assertThat(job.tracksEvent("anything")).isTrue();
        assertThat(job.propertySelection().keys()).containsExactly("plan", "country", "path", "amount");
        assertThat(job.calendar().zone()).isEqualTo(ZoneId.of("UTC"));
    }

    @Test
    void defaultsWhenFieldsAreMissing() {
        JobDefinition job = JobLoader.parse("name: minimal\n");
        assertThat(job.name()).isEqualTo("minimal");
        assertThat(job.timezone()).isEqualTo(ZoneId.of("UTC"));
        assertThat(job.defaultEnvironment()).isEqualTo("production");
        assertThat(job.granularities()).containsExactly(Granularity.values());
        assertThat(job.events()).isEmpty();
        assertThat(job.breakdowns()).isEmpty();
        assertThat(job.breakdownLimit()).isEqualTo(100);
        assertThat(job.watermark())
                .isEqualTo(new WatermarkSettings(
                        Duration.ofSeconds(30), Duration.ofHours(1), Duration.ofSeconds(10), Duration.ofMinutes(1)));
        assertThat(job.limits().maxRecordBytes()).isEqualTo(1 << 20);
        assertThat(job.limits().deadLetterRawBytes()).isEqualTo(8192);
        assertThat(job.limits().breakdownValuesPerBucket()).isEqualTo(10_000);
        assertThat(job.limits().minTimestamp())
                .isEqualTo(Instant.parse("2000-01-01T00:00:00Z").toEpochMilli());
        assertThat(job.limits().maxFuture()).isEqualTo(Duration.ofDays(1));
        assertThat(job.sketchLgK()).isEqualTo(14);
        assertThat(job.funnels()).isEmpty();
        assertThat(job.retention()).isEmpty();
        // Partly given sections keep the defaults of the rest.
        JobDefinition partial =
                JobLoader.parse("name: p\nwatermark: {allowed_lateness: 2h}\nlimits: {max_future: 7d}\n");
        assertThat(partial.watermark())
                .isEqualTo(new WatermarkSettings(
                        Duration.ofSeconds(30), Duration.ofHours(2), Duration.ofSeconds(10), Duration.ofMinutes(1)));
        assertThat(partial.limits().maxFuture()).isEqualTo(Duration.ofDays(7));
        assertThat(partial.limits().maxRecordBytes()).isEqualTo(1 << 20);
    }

    @Test
    void fullJob() {
        String yaml = """
                name: shop.v2
                timezone: Europe/Berlin
                default_environment: prod
                granularities: [" Day ", HOUR, month]
                events: [signup, purchase]
                breakdowns: [plan, country]
                breakdown_limit: 20
                watermark: {out_of_orderness: 45, allowed_lateness: 2h, emit_interval: 500ms, idleness: 5m}
                limits:
                  max_record_bytes: 4096
                  dead_letter_raw_bytes: 512
                  breakdown_values_per_bucket: 20
                  min_timestamp: "2020-01-01T00:00:00Z"
                  max_future: 2h
                sketch: {lg_k: 12}
                funnels:
                  - name: checkout
                    conversion_window_seconds: 3600
                    strict_order: true
                    steps:
                      - event: view
                      - name: added
                        event: add_to_cart
                        filters:
                          - {property: price, operator: gte, value: 10}
                          - {property: plan, operator: in, value: [pro, 3, true]}
                      - event: purchase
                    exclusions:
                      - {event: refund, after_step: 2, filters: [{property: country, operator: is_set}]}
                retention:
                  - name: weekly
                    start_event: signup
                    return_event: purchase
                    cohort_period: month
                    periods: 12
                    type: recurring
                    start_filters: [{property: source, operator: regex, value: "^ads?$"}]
                    first_time_horizon: 30d
                """;
        JobDefinition job = JobLoader.parse(yaml);
        assertThat(job.timezone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(job.defaultEnvironment()).isEqualTo("prod");
        // Canonical order, whatever the order and case in the file.
        assertThat(job.granularities()).containsExactly(Granularity.HOUR, Granularity.DAY, Granularity.MONTH);
        assertThat(job.tracksEvent("signup")).isTrue();
        assertThat(job.tracksEvent("view")).isFalse();
        assertThat(job.watermark())
                .isEqualTo(new WatermarkSettings(
                        Duration.ofSeconds(45), Duration.ofHours(2), Duration.ofMillis(500), Duration.ofMinutes(5)));
        assertThat(job.limits())
                .isEqualTo(new LimitSettings(
                        4096, 512, 20, Instant.parse("2020-01-01T00:00:00Z").toEpochMilli(), Duration.ofHours(2)));
        assertThat(job.sketchLgK()).isEqualTo(12);

        FunnelDefinition f = job.funnels().get(0);
        assertThat(f.name()).isEqualTo("checkout");
        assertThat(f.conversionWindowSeconds()).isEqualTo(3600);
        assertThat(f.conversionWindowMillis()).isEqualTo(3_600_000L);
        assertThat(f.strictOrder()).isTrue();
        assertThat(f.steps())
                .extracting(s -> s.name() + "=" + s.event())
                .containsExactly("view=view", "added=add_to_cart", "purchase=purchase");
        assertThat(f.steps().get(1).filters())
                .extracting(p -> p.property() + " " + p.operator())
                .containsExactly("price " + FilterOperator.GTE, "plan " + FilterOperator.IN);
        FunnelExclusion x = f.exclusions().get(0);
        assertThat(x.event()).isEqualTo("refund");
        assertThat(x.afterStep()).isEqualTo(2);
        assertThat(x.beforeStep()).isEqualTo(3); // defaults to the last step

        RetentionDefinition r = job.retention().get(0);
        assertThat(r.cohortPeriod()).isEqualTo(Granularity.MONTH);
        assertThat(r.periods()).isEqualTo(12);
        assertThat(r.type()).isEqualTo(RetentionType.RECURRING);
        assertThat(r.startFilters()).hasSize(1);
        assertThat(r.returnFilters()).isEmpty();
        assertThat(r.firstTimeHorizon()).isEqualTo(Duration.ofDays(30));

        // Breakdown keys first, then the keys that filters read, each once.
        assertThat(job.propertySelection().keys()).containsExactly("plan", "country", "price", "source");
        assertThat(job.allFilters()).hasSize(4);
    }

    @Test
    void funnelAndRetentionDefaults() {
        JobDefinition job = JobLoader.parse("""
                name: d
                funnels: [{name: f, steps: [{event: a}, {event: b}, {event: c}], exclusions: [{event: x}]}]
                retention: [{name: r, start_event: a, return_event: b}]
                """);
        FunnelDefinition f = job.funnels().get(0);
        assertThat(f.conversionWindowSeconds()).isEqualTo(Duration.ofDays(14).toSeconds());
        assertThat(f.strictOrder()).isFalse();
        assertThat(f.exclusions().get(0).afterStep()).isEqualTo(1);
        assertThat(f.exclusions().get(0).beforeStep()).isEqualTo(3);
        RetentionDefinition r = job.retention().get(0);
        assertThat(r.cohortPeriod()).isEqualTo(Granularity.WEEK);
        assertThat(r.periods()).isEqualTo(8);
        assertThat(r.type()).isEqualTo(RetentionType.FIRST_TIME);
        assertThat(r.firstTimeHorizon()).isEqualTo(Duration.ofDays(365));
    }

    // ------------------------------------------------------------------------------------------

    private static final String STEPS_WITH_FILTER = """
            name: t
            funnels:
              - name: f
                steps:
                  - event: a
                  - event: b
                    filters: [{property: p, operator: %s, value: %s}]
            """;

    private static String filter(String operator, String value) {
        return STEPS_WITH_FILTER.formatted(operator, value);
    }

    private static final String F = "funnels[0].steps[1].filters[0].";

    static Stream<Arguments> invalidJobs() {
        return Stream.of(
                Arguments.of(
                        "unknown top-level field",
                        "name: t\ngranularity: [day]\n",
                        "granularity",
                        List.of("unknown field", "did you mean 'granularities'")),
                Arguments.of(
                        "unknown top-level field, other typo",
                        "name: t\nfunnel: []\n",
                        "funnel",
                        List.of("unknown field", "did you mean 'funnels'")),
                Arguments.of(
                        "unknown field without a close match",
                        "name: t\ncolour: blue\n",
                        "colour",
                        List.of("unknown field", "allowed: actions, breakdown_limit")),
                Arguments.of(
                        "bad granularity value",
                        "name: t\ngranularities: [day, fortnight]\n",
                        "granularities[1]",
                        List.of("'fortnight'", "minute, hour, day, week, month")),
                Arguments.of(
                        "duplicate granularity",
                        "name: t\ngranularities: [day, hour, day]\n",
                        "granularities",
                        List.of("'day' is listed twice")),
                Arguments.of(
                        "no granularities", "name: t\ngranularities: []\n", "granularities", List.of("at least one")),
                Arguments.of(
                        "granularities not a list",
                        "name: t\ngranularities: day\n",
                        "granularities",
                        List.of("must be a list")),
                Arguments.of(
                        "unknown timezone",
                        "name: t\ntimezone: Mars/Olympus\n",
                        "timezone",
                        List.of("'Mars/Olympus'", "not an IANA time zone")),
                Arguments.of("missing name", "timezone: UTC\n", "name", List.of("is required")),
                Arguments.of("bad name", "name: 'has space'\n", "name", List.of("'has space'", "letters, digits")),
                Arguments.of(
                        "empty default environment",
                        "name: t\ndefault_environment: ' '\n",
                        "default_environment",
                        List.of("must not be empty")),
                Arguments.of(
                        "duplicate event", "name: t\nevents: [a, b, a]\n", "events", List.of("'a' is listed twice")),
                Arguments.of(
                        "bad duration",
                        "name: t\nwatermark: {out_of_orderness: 30x}\n",
                        "watermark.out_of_orderness",
                        List.of("'30x' is not a duration")),
                Arguments.of(
                        "fractional duration number",
                        "name: t\nwatermark: {allowed_lateness: 0.5}\n",
                        "watermark.allowed_lateness",
                        List.of("must be a duration")),
                Arguments.of(
                        "huge duration",
                        "name: t\nwatermark: {allowed_lateness: 99999999999999999999d}\n",
                        "watermark.allowed_lateness",
                        List.of("too large")),
                Arguments.of(
                        "emit_interval below 100ms",
                        "name: t\nwatermark: {emit_interval: 99ms}\n",
                        "watermark.emit_interval",
                        List.of("at least 100ms", "99ms")),
                Arguments.of(
                        "idleness below 1s",
                        "name: t\nwatermark: {idleness: 999ms}\n",
                        "watermark.idleness",
                        List.of("at least 1s")),
                Arguments.of(
                        "unknown watermark field",
                        "name: t\nwatermark: {out_of_order: 30s}\n",
                        "watermark.out_of_order",
                        List.of("did you mean 'out_of_orderness'")),
                Arguments.of(
                        "breakdown_limit 0",
                        "name: t\nbreakdown_limit: 0\n",
                        "breakdown_limit",
                        List.of("between 1 and", "found 0")),
                Arguments.of(
                        "breakdown_limit text",
                        "name: t\nbreakdown_limit: many\n",
                        "breakdown_limit",
                        List.of("whole number", "many")),
                Arguments.of(
                        "breakdown_limit fractional",
                        "name: t\nbreakdown_limit: 2.5\n",
                        "breakdown_limit",
                        List.of("whole number")),
                Arguments.of(
                        "values per bucket below the breakdown limit",
                        "name: t\nbreakdown_limit: 100\nlimits: {breakdown_values_per_bucket: 99}\n",
                        "limits.breakdown_values_per_bucket",
                        List.of("at least breakdown_limit (100)", "found 99")),
                Arguments.of(
                        "max_record_bytes too small",
                        "name: t\nlimits: {max_record_bytes: 100}\n",
                        "limits.max_record_bytes",
                        List.of("between 256 and")),
                Arguments.of(
                        "bad min_timestamp",
                        "name: t\nlimits: {min_timestamp: yesterday}\n",
                        "limits.min_timestamp",
                        List.of("'yesterday'", "ISO-8601")),
                Arguments.of(
                        "sketch lg_k out of range",
                        "name: t\nsketch: {lg_k: 30}\n",
                        "sketch.lg_k",
                        List.of("between 10 and 18")),
                Arguments.of(
                        "funnel with 1 step",
                        "name: t\nfunnels: [{name: f, steps: [{event: a}]}]\n",
                        "funnels[0].steps",
                        List.of("at least 2 steps", "found 1")),
                Arguments.of(
                        "funnel step without event",
                        "name: t\nfunnels: [{name: f, steps: [{event: a}, {name: s}]}]\n",
                        "funnels[0].steps[1].event",
                        List.of("is required")),
                Arguments.of(
                        "funnel strict_order not a boolean",
                        "name: t\nfunnels: [{name: f, strict_order: maybe, steps: [{event: a}, {event: b}]}]\n",
                        "funnels[0].strict_order",
                        List.of("true or false")),
                Arguments.of(
                        "funnel window 0",
                        "name: t\nfunnels: [{name: f, conversion_window_seconds: 0, steps: [{event: a}, {event: b}]}]\n",
                        "funnels[0].conversion_window_seconds",
                        List.of("between 1 and")),
                Arguments.of(
                        "unknown filter operator",
                        filter("equals", "pro"),
                        F + "operator",
                        List.of("unknown operator 'equals'", "eq, neq")),
                Arguments.of(
                        "regex that does not compile",
                        filter("regex", "'(unclosed'"),
                        F + "value",
                        List.of("regular expression does not compile")),
                Arguments.of(
                        "gt with a string", filter("gt", "'ten'"), F + "value", List.of("operator gt needs a number")),
                Arguments.of(
                        "lte with a quoted number",
                        filter("lte", "'10'"),
                        F + "value",
                        List.of("operator lte needs a number")),
                Arguments.of(
                        "in with a non-list",
                        filter("in", "pro"),
                        F + "value",
                        List.of("operator in needs a non-empty list")),
                Arguments.of(
                        "not_in with an empty list",
                        filter("not_in", "[]"),
                        F + "value",
                        List.of("operator not_in needs a non-empty list")),
                Arguments.of(
                        "in with a nested list",
                        filter("in", "[a, [b]]"),
                        F + "value[1]",
                        List.of("string, number or boolean")),
                Arguments.of(
                        "eq without a value",
                        STEPS_WITH_FILTER.replace(", value: %s", "").formatted("eq"),
                        F + "value",
                        List.of("operator eq needs")),
                Arguments.of(
                        "unknown filter field", filter("eq", "pro, extra: 1"), F + "extra", List.of("unknown field")),
                Arguments.of(
                        "exclusion before_step equal to after_step",
                        "name: t\nfunnels: [{name: f, steps: [{event: a}, {event: b}, {event: c}], exclusions: [{event: x, after_step: 2, before_step: 2}]}]\n",
                        "funnels[0].exclusions[0].before_step",
                        List.of("greater than after_step (2)")),
                Arguments.of(
                        "exclusion before_step below after_step",
                        "name: t\nfunnels: [{name: f, steps: [{event: a}, {event: b}, {event: c}], exclusions: [{event: x, after_step: 3, before_step: 1}]}]\n",
                        "funnels[0].exclusions[0].before_step",
                        List.of("greater than after_step (3)")),
                Arguments.of(
                        "exclusion step beyond the funnel",
                        "name: t\nfunnels: [{name: f, steps: [{event: a}, {event: b}], exclusions: [{event: x, after_step: 3}]}]\n",
                        "funnels[0].exclusions[0].after_step",
                        List.of("between 1 and 2")),
                Arguments.of(
                        "duplicate funnel names",
                        "name: t\nfunnels:\n  - {name: f, steps: [{event: a}, {event: b}]}\n  - {name: f, steps: [{event: a}, {event: c}]}\n",
                        "funnels[1].name",
                        List.of("'f' is defined twice")),
                Arguments.of(
                        "retention cohort_period hour",
                        "name: t\nretention: [{name: r, start_event: a, return_event: b, cohort_period: hour}]\n",
                        "retention[0].cohort_period",
                        List.of("'hour'", "day, week, month")),
                Arguments.of(
                        "retention type unknown",
                        "name: t\nretention: [{name: r, start_event: a, return_event: b, type: sometimes}]\n",
                        "retention[0].type",
                        List.of("'sometimes'", "first_time, recurring")),
                Arguments.of(
                        "retention periods 0",
                        "name: t\nretention: [{name: r, start_event: a, return_event: b, periods: 0}]\n",
                        "retention[0].periods",
                        List.of("between 1 and", "found 0")),
                Arguments.of(
                        "retention periods too many",
                        "name: t\nretention: [{name: r, start_event: a, return_event: b, periods: 63}]\n",
                        "retention[0].periods",
                        List.of("between 1 and 62")),
                Arguments.of(
                        "retention without start_event",
                        "name: t\nretention: [{name: r, return_event: b}]\n",
                        "retention[0].start_event",
                        List.of("is required")),
                Arguments.of(
                        "retention filter error path",
                        "name: t\nretention: [{name: r, start_event: a, return_event: b, return_filters: [{property: p, operator: gt, value: x}]}]\n",
                        "retention[0].return_filters[0].value",
                        List.of("operator gt needs a number")),
                Arguments.of(
                        "duplicate retention names",
                        "name: t\nretention: [{name: r, start_event: a, return_event: b}, {name: r, start_event: a, return_event: c}]\n",
                        "retention[1].name",
                        List.of("'r' is defined twice")),
                Arguments.of(
                        "horizon of a coarse granularity",
                        "name: t\nhorizons: {day: 30d}\n",
                        "horizons.day",
                        List.of("only minute and hour take a horizon")),
                Arguments.of(
                        "horizon of a granularity the job lacks",
                        "name: t\ngranularities: [hour, day]\nhorizons: {minute: 7d}\n",
                        "horizons.minute",
                        List.of("the job has no minute buckets")),
                Arguments.of(
                        "horizon shorter than its bucket",
                        "name: t\nhorizons: {hour: 30m}\n",
                        "horizons.hour",
                        List.of("must be at least one hour, found 30m")),
                Arguments.of(
                        "hours kept for less than minutes",
                        "name: t\nhorizons: {minute: 7d, hour: 2d}\n",
                        "horizons.hour",
                        List.of("must be at least the minute horizon (7d), found 2d")),
                Arguments.of(
                        "horizon misspelt",
                        "name: t\nhorizons: {minutes: 7d}\n",
                        "horizons.minutes",
                        List.of("did you mean 'minute'")),
                Arguments.of("top level is a list", "- a\n- b\n", "", List.of("must be a mapping")),
                Arguments.of("top level is text", "just text\n", "", List.of("must be a mapping")),
                Arguments.of("empty file", "", "", List.of("the job file is empty")),
                Arguments.of("only a comment", "# nothing here\n", "", List.of("the job file is empty")),
                Arguments.of(
                        "invalid YAML syntax",
                        "name: t\ngranularities: [day\n",
                        "",
                        List.of("not valid YAML", "line 2")),
                Arguments.of(
                        "invalid YAML indentation",
                        "name: t\n  bad: indent\n",
                        "",
                        List.of("not valid YAML", "line 2")),
                Arguments.of(
                        "action with two forms",
                        "name: t\nactions: {a: {event: x, events: [y]}}\n",
                        "actions.a",
                        List.of("needs exactly one of event, events or any_of")),
                Arguments.of(
                        "action named as a listed event",
                        "name: t\nevents: [signup]\nactions: {signup: {event: x}}\n",
                        "actions.signup",
                        List.of("an action needs a name of its own")),
                Arguments.of(
                        "action with a bad filter",
                        "name: t\nactions: {a: {event: x, filters: [{property: p, operator: eqq, value: 1}]}}\n",
                        "actions.a.filters[0].operator",
                        List.of("unknown operator 'eqq'")),
                Arguments.of(
                        "actions as a list",
                        "name: t\nactions: [{event: x}]\n",
                        "actions",
                        List.of("must be a mapping of action names")),
                Arguments.of(
                        "duplicate key",
                        "name: t\nfunnels: []\nevents: []\nfunnels: []\n",
                        "",
                        List.of("not valid YAML", "line 4", "'funnels'")));
    }

    @Test
    void breakdownUsersDefaultToDaysWeeksAndMonths() {
        assertThat(JobLoader.parse("name: t\n").breakdownUsers())
                .containsExactly(Granularity.DAY, Granularity.WEEK, Granularity.MONTH);
        assertThat(JobLoader.parse("name: t\nbreakdown_users: true\n").breakdownUsers())
                .contains(Granularity.MINUTE)
                .hasSize(5);
        assertThat(JobLoader.parse("name: t\nbreakdown_users: false\n").breakdownUsers())
                .isEmpty();
        JobDefinition j = JobLoader.parse("name: t\ngranularities: [minute, day]\nbreakdown_users: [minute]\n");
        assertThat(j.breakdownUsersAt(Granularity.MINUTE)).isTrue();
        assertThat(j.breakdownUsersAt(Granularity.DAY)).isFalse();
        assertThatThrownBy(() -> JobLoader.parse("name: t\ngranularities: [day]\nbreakdown_users: [hour]\n"))
                .hasMessage("breakdown_users: 'hour' is not one of the job's granularities (day)");
        assertThatThrownBy(() -> JobLoader.parse("name: t\nbreakdown_users: 3\n"))
                .hasMessageStartingWith("breakdown_users: must be true, false or a list");
    }

    @Test
    void horizonsAreOptionalAndParsed() {
        assertThat(JobLoader.parse("name: t\n").horizons().byGranularity()).isEmpty();
        JobDefinition j = JobLoader.parse("name: t\nhorizons: {minute: 7d, hour: 13w}\n");
        assertThat(j.horizons().of(Granularity.MINUTE)).isEqualTo(Duration.ofDays(7));
        assertThat(j.horizons().of(Granularity.HOUR)).isEqualTo(Duration.ofDays(91));
        assertThat(j.horizons().has(Granularity.DAY)).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidJobs")
    void invalidJobNamesTheFieldAndTheProblem(String name, String yaml, String field, List<String> problem) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> JobLoader.parse(yaml));
        assertThat(e).as("no ConfigException for %s", name).isNotNull();
        assertThat(e.field()).isEqualTo(field);
        if (!field.isEmpty()) assertThat(e.getMessage()).startsWith(field + ": ");
        for (String p : problem) assertThat(e.getMessage()).contains(p);
    }

    @Test
    void loadPrefixesTheFileToTheFieldPath() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "name: t\nwatermark: {emit_interval: 10ms}\n");
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> JobLoader.load(file));
        assertThat(e.field()).isEqualTo(file + ": watermark.emit_interval");
        assertThat(e.getMessage()).isEqualTo(file + ": watermark.emit_interval: must be at least 100ms, found 10ms");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "name: [unclosed\n"})
    void loadOfAFileWideProblemNamesTheFileOnce(String content) throws Exception {
        Path file = dir.resolve("wide.yaml");
        Files.writeString(file, content);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> JobLoader.load(file));
        assertThat(e.getMessage()).startsWith(file + ": ").doesNotContain(": :");
        assertThat(e.field()).isEqualTo(file.toString());
    }

    @Test
    void loadOfAMissingFile() {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> JobLoader.load(missing))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--job: file not found: " + missing);
    }

    // ------------------------------------------------------------------------------------------

    @Nested
    class DurationsTest {
        @ParameterizedTest
        @CsvSource({
            "500ms, 500",
            "30s, 30000",
            "10m, 600000",
            "1h, 3600000",
            "7d, 604800000",
            "2w, 1209600000",
            "45, 45000",
            "0, 0",
            "0ms, 0",
            "' 5 m ', 300000",
            "1000ms, 1000",
        })
        void parse(String text, long millis) {
            assertThat(Durations.parse("f", text)).isEqualTo(Duration.ofMillis(millis));
        }

        @ParameterizedTest
        @ValueSource(strings = {"30x", "-5s", "1.5h", "", " ", "s", "5 sec", "5S", "1h30m", "P1D"})
        void rejects(String text) {
            assertThatThrownBy(() -> Durations.parse("watermark.idleness", text))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("watermark.idleness: ")
                    .hasMessageContaining("'" + text + "' is not a duration");
        }

        @Test
        void rejectsNullAndOverflow() {
            assertThatThrownBy(() -> Durations.parse("x", null)).hasMessageContaining("x: is required");
            assertThatThrownBy(() -> Durations.parse("x", "9223372036854775807d"))
                    .hasMessageContaining("too large");
            assertThatThrownBy(() -> Durations.parse("x", "9223372036854775807w"))
                    .hasMessageContaining("too large");
            assertThatThrownBy(() -> Durations.parse("x", "99999999999999999999"))
                    .hasMessageContaining("too large");
        }

        @Test
        void formatUsesTheLargestExactUnit() {
            assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
            assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
            assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("90m");
            assertThat(Durations.format(Duration.ofMinutes(60))).isEqualTo("1h");
            assertThat(Durations.format(Duration.ofHours(36))).isEqualTo("36h");
            assertThat(Durations.format(Duration.ofDays(14))).isEqualTo("14d");
            assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
        }

        @Test
        void formatThenParseRoundTrips() {
            SplittableRandom r = new SplittableRandom(5);
            long[] units = {1, 1000, 60_000, 3_600_000, 86_400_000};
            for (int i = 0; i < 10_000; i++) {
                Duration d = Duration.ofMillis(r.nextLong(0, 1_000_000) * units[r.nextInt(units.length)]
                        + (r.nextInt(4) == 0 ? r.nextInt(1000) : 0));
                String text = Durations.format(d);
                if (!Durations.parse("f", text).equals(d) || !text.matches("\\d+(ms|s|m|h|d)")) {
                    assertThat(Durations.parse("f", text)).as(text).isEqualTo(d);
                    assertThat(text).matches("\\d+(ms|s|m|h|d)");
                }
            }
        }

        @Test
        void parseThenFormatIsCanonical() {
            for (String text : List.of("500ms", "30s", "10m", "1h", "7d", "90m", "25h")) {
                assertThat(Durations.format(Durations.parse("f", text))).isEqualTo(text);
            }
            assertThat(Durations.format(Durations.parse("f", "60s"))).isEqualTo("1m");
            assertThat(Durations.format(Durations.parse("f", "1w"))).isEqualTo("7d");
        }
    }
}
