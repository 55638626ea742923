package io.eventagg.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventagg.testing.CliRun;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The generator's options (heavy-tailed activity, bots) and the promise that the default output
 * does not change: many tests and the chaos run depend on exact counts. Everything is computed from
 * the generated lines themselves.
 */
class EventGeneratorTest {
    static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
    static final ObjectMapper JSON = new ObjectMapper();

    /** The heavy-tailed example documented in the generator and the CLI help. */
    static final int EXAMPLE_USERS = 1545, EXAMPLE_DAYS = 90;

    static final long EXAMPLE_SEED = 36;

    static String generate(EventGenerator g) throws IOException {
        StringWriter w = new StringWriter();
        g.write(w);
        return w.toString();
    }

    static String sha256(String text) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    static List<String> lines(String text) {
        return text.isEmpty() ? List.of() : Arrays.asList(text.split("\n"));
    }

    /** The valid events of a generation, parsed; the generator's broken lines are left out. */
    static List<JsonNode> events(String text) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : lines(text)) {
            try {
                JsonNode n = JSON.readTree(line);
                if (valid(n)) out.add(n);
            } catch (IOException broken) {
                // a malformed line: counts for nobody
            }
        }
        return out;
    }

    /** Not one of the ways the generator breaks lines: all fields there, of their type, the time readable. */
    static boolean valid(JsonNode n) {
        if (!n.isObject()
                || !n.path("event").isTextual()
                || n.get("event").asText().isEmpty()) return false;
        if (!n.path("distinct_id").isValueNode() || !n.path("properties").isObject()) return false;
        try {
            timestamp(n);
            return true;
        } catch (RuntimeException unreadable) {
            return false;
        }
    }

    static String user(JsonNode e) {
        return e.get("distinct_id").asText();
    }

    static boolean isPricingView(JsonNode e) {
        return e.get("event").asText().equals("pageview")
                && "/pricing".equals(e.path("properties").path("path").asText(null));
    }

    static long timestamp(JsonNode e) {
        JsonNode ts = e.get("timestamp");
        return ts.isNumber()
                ? ts.asLong()
                : OffsetDateTime.parse(ts.asText()).toInstant().toEpochMilli();
    }

    static Map<String, Integer> eventsPerUser(List<JsonNode> events) {
        Map<String, Integer> counts = new HashMap<>();
        for (JsonNode e : events) counts.merge(user(e), 1, Integer::sum);
        return counts;
    }

    /**
     * Hashes of the generator's default output (recorded again on 2026-12-07, when purchases began to
     * carry the plan bought): the five- and six-argument constructors, and the seven-argument one
     * with {@link EventGenerator.Options#NONE}, must give exactly these bytes.
     */
    @ParameterizedTest(name = "users {0}, days {1}, seed {2}, malformed {3}, activity {4}")
    @CsvSource({
        "2000, 20, 3, 0.01, 1.0, c283fe7a30ca054681738c86da2b440ac5963c55518106e269c488536f62474f",
        "300, 10, 7, 0.0, 1.0, 7d165d9f9b6335f0011540cd904894b70839aec7c25ad41456df22ca306ff673",
        "500, 15, 11, 0.02, 3.0, 5334b89050d1f00daac8ca23a59f564a3298be576d0d28aa9c63877d25866e5e",
    })
    void defaultOutputIsUnchanged(int users, int days, long seed, double malformed, double activity, String sha)
            throws Exception {
        if (activity == 1.0)
            assertThat(sha256(generate(new EventGenerator(users, days, seed, START, malformed))))
                    .isEqualTo(sha);
        assertThat(sha256(generate(new EventGenerator(users, days, seed, START, malformed, activity))))
                .isEqualTo(sha);
        assertThat(sha256(generate(new EventGenerator(
                        users, days, seed, START, malformed, activity, EventGenerator.Options.NONE))))
                .isEqualTo(sha);
    }

    /** Signups are on the free plan; a purchase is of a paid plan and carries it (a plan breakdown shows them). */
    @Test
    void purchasesCarryThePlanBought() throws Exception {
        Map<String, Map<String, Integer>> plans = new HashMap<>();
        for (JsonNode e : events(generate(new EventGenerator(3000, 20, 4, START, 0.0)))) {
            String plan = e.path("properties").path("plan").asText();
            plans.computeIfAbsent(e.path("event").asText(), k -> new HashMap<>())
                    .merge(plan, 1, Integer::sum);
        }
        assertThat(plans.get("signup")).containsOnlyKeys("free");
        assertThat(plans.get("purchase")).containsOnlyKeys("pro", "enterprise");
        assertThat(plans.get("purchase").get("pro"))
                .isGreaterThan(plans.get("purchase").get("enterprise"));
    }

    @Test
    void paretoActivityHasAHeavyTail() throws Exception {
        EventGenerator.Options heavy = EventGenerator.Options.NONE.withParetoAlpha(1.3);
        EventGenerator g = new EventGenerator(EXAMPLE_USERS, EXAMPLE_DAYS, EXAMPLE_SEED, START, 0.01, 1.0, heavy);
        StringWriter w = new StringWriter();
        EventGenerator.Stats stats = g.write(w);
        String text = w.toString();
        List<JsonNode> events = events(text);
        assertThat((long) events.size()).isEqualTo(stats.events());
        assertThat(events.size()).as("total events").isBetween(100_000, 250_000);

        Map<String, Integer> perUser = eventsPerUser(events);
        List<Integer> counts = new ArrayList<>(perUser.values());
        counts.sort(null);
        int heaviest = counts.get(counts.size() - 1);
        int median = counts.get(counts.size() / 2);
        long top1Percent = counts.subList(counts.size() - EXAMPLE_USERS / 100, counts.size()).stream()
                .mapToLong(i -> i)
                .sum();
        assertThat(top1Percent).as("events of the top 1 %% of users").isGreaterThan(events.size() * 40L / 100);
        assertThat(heaviest)
                .as("heaviest user against the median user (%d)", median)
                .isGreaterThan(50 * median);
        assertThat(heaviest).as("the documented example's heaviest user").isBetween(40_000, 60_000);

        // The heaviest user does what every user does inside a session: many pricing page views
        // (the funnel's first step), a single signup.
        String top = perUser.entrySet().stream()
                .filter(e -> e.getValue() == heaviest)
                .findFirst()
                .orElseThrow()
                .getKey();
        long pricing = events.stream()
                .filter(e -> user(e).equals(top) && isPricingView(e))
                .count();
        long signups = events.stream()
                .filter(e -> user(e).equals(top) && e.get("event").asText().equals("signup"))
                .count();
        assertThat(pricing).isGreaterThan(heaviest / 20);
        assertThat(signups).isLessThanOrEqualTo(1);
        assertThat(stats.heaviestUser()).isEqualTo(top);
        assertThat(stats.heaviestUserEvents()).isEqualTo(heaviest);
        assertThat(stats.heaviestUserPricingViews()).isEqualTo(pricing);

        // Deterministic.
        assertThat(sha256(generate(
                        new EventGenerator(EXAMPLE_USERS, EXAMPLE_DAYS, EXAMPLE_SEED, START, 0.01, 1.0, heavy))))
                .isEqualTo(sha256(text));
    }

    /** The weight comes from a stream of its own: who the users are (country, environment) does not change. */
    @Test
    void paretoActivityKeepsTheUsers() throws Exception {
        List<JsonNode> plain = events(generate(new EventGenerator(400, 30, 5, START, 0.0)));
        List<JsonNode> heavy = events(generate(
                new EventGenerator(400, 30, 5, START, 0.0, 1.0, EventGenerator.Options.NONE.withParetoAlpha(1.5))));
        Map<String, String> who = new HashMap<>();
        for (JsonNode e : plain)
            who.put(user(e), e.path("properties").path("country").asText());
        Set<String> compared = new HashSet<>();
        for (JsonNode e : heavy) {
            String country = who.get(user(e));
            if (country == null) continue;
            assertThat(e.path("properties").path("country").asText())
                    .as(user(e))
                    .isEqualTo(country);
            compared.add(user(e));
        }
        assertThat(compared).hasSizeGreaterThan(300);
        assertThat(heavy.size()).as("events with the weights").isGreaterThan(plain.size());
    }

    /** Even an extreme weight stays under about 2,000 events a day. */
    @Test
    void paretoActivityIsCappedPerDay() throws Exception {
        List<JsonNode> events = events(generate(
                new EventGenerator(3000, 3, 2, START, 0.0, 1.0, EventGenerator.Options.NONE.withParetoAlpha(1.05))));
        Map<String, Integer> perUserDay = new HashMap<>();
        for (JsonNode e : events)
            perUserDay.merge(
                    user(e) + "/" + Math.floorDiv(timestamp(e) - START.toEpochMilli(), 86_400_000L), 1, Integer::sum);
        int max = perUserDay.values().stream().mapToInt(i -> i).max().orElseThrow();
        assertThat(max).as("most events of one user on one day").isBetween(1_000, 2_500);
    }

    @Test
    void botsSendTheirEventsEveryDay() throws Exception {
        int users = 300, days = 10, bots = 3, perDay = 2_000;
        double share = 0.3;
        EventGenerator.Options options =
                EventGenerator.Options.NONE.withBots(bots, perDay).withBotPricingShare(share);
        String text = generate(new EventGenerator(users, days, 7, START, 0.0, 1.0, options));
        List<JsonNode> events = events(text);
        assertThat(events).hasSize(lines(text).size());

        for (int b = 0; b < bots; b++) {
            String id = "bot-" + b;
            List<JsonNode> mine =
                    events.stream().filter(e -> user(e).equals(id)).toList();
            assertThat(mine).as(id).hasSize(perDay * days);
            double pricing =
                    mine.stream().filter(EventGeneratorTest::isPricingView).count() / (double) mine.size();
            assertThat(pricing).as(id + ": share of /pricing page views").isBetween(share - 0.02, share + 0.02);
            assertThat(mine)
                    .as(id + ": never signs up")
                    .noneMatch(e -> e.get("event").asText().equals("signup"));
            assertThat(mine)
                    .as(id)
                    .allMatch(e -> e.path("environment").asText("production").equals("production"));
            long[] ts = mine.stream().mapToLong(EventGeneratorTest::timestamp).toArray();
            assertThat(Arrays.stream(ts).distinct().count())
                    .as(id + ": distinct timestamps")
                    .isEqualTo(ts.length);
            assertThat(Arrays.stream(ts).min().orElseThrow()).isGreaterThanOrEqualTo(START.toEpochMilli());
            assertThat(Arrays.stream(ts).max().orElseThrow()).isLessThan(START.toEpochMilli() + days * 86_400_000L);
            // Written in arrival order, not event time: some late arrivals come after later events.
            int outOfOrder = 0;
            for (int i = 1; i < ts.length; i++) if (ts[i] < ts[i - 1]) outOfOrder++;
            assertThat(outOfOrder)
                    .as(id + ": events out of time order in the file")
                    .isGreaterThan(0);
        }
        // The bots' lines are mixed in with everyone else's, not written as blocks.
        int switches = 0;
        for (int i = 1; i < events.size(); i++) {
            if (user(events.get(i)).startsWith("bot-")
                    != user(events.get(i - 1)).startsWith("bot-")) switches++;
        }
        assertThat(switches).as("switches between bot and user lines").isGreaterThan(1_000);

        // Bots draw from streams of their own: the users' lines are exactly those without bots.
        List<String> withoutBots = lines(text).stream()
                .filter(l -> !l.contains("\"distinct_id\":\"bot-"))
                .toList();
        assertThat(withoutBots).isEqualTo(lines(generate(new EventGenerator(users, days, 7, START, 0.0))));
    }

    @Test
    void botsGoThroughTheMalformedLines() throws Exception {
        EventGenerator.Options options = EventGenerator.Options.NONE.withBots(1, 5_000);
        EventGenerator.Stats stats = new EventGenerator(10, 4, 3, START, 0.05, 1.0, options).write(new StringWriter());
        assertThat(stats.botEvents()).as("bot events that stayed valid").isBetween(18_500L, 19_500L);
        assertThat(stats.malformed()).isGreaterThan(800);
    }

    /**
     * A user offset renames the users (distinct ids, sessions; uuids follow) and changes nothing
     * else: a second month of new users is the same generation under other names.
     */
    @Test
    void userOffsetRenamesTheUsersOnly() throws Exception {
        List<JsonNode> plain = events(generate(new EventGenerator(300, 10, 5, START, 0.0)));
        List<JsonNode> shifted = events(generate(new EventGenerator(
                300, 10, 5, START, 0.0, 1.0, EventGenerator.Options.NONE.withUserOffset(5_000_000))));
        assertThat(shifted).hasSameSizeAs(plain);
        Set<String> plainUuids = new HashSet<>();
        for (JsonNode e : plain) plainUuids.add(e.get("uuid").asText());
        for (int i = 0; i < plain.size(); i++) {
            JsonNode a = plain.get(i);
            JsonNode b = shifted.get(i);
            long n = userNumber(a.get("distinct_id"));
            assertThat(userNumber(b.get("distinct_id"))).as("line %d", i).isEqualTo(n + 5_000_000);
            assertThat(b.get("distinct_id").isNumber())
                    .isEqualTo(a.get("distinct_id").isNumber());
            assertThat(b.get("session_id").asText())
                    .isEqualTo(a.get("session_id").asText().replaceFirst("^s" + n + "-", "s" + (n + 5_000_000) + "-"));
            assertThat(b.get("event").asText()).isEqualTo(a.get("event").asText());
            assertThat(timestamp(b)).isEqualTo(timestamp(a));
            assertThat(b.get("properties")).isEqualTo(a.get("properties"));
            assertThat(plainUuids).doesNotContain(b.get("uuid").asText());
        }
        assertThatThrownBy(() -> EventGenerator.Options.NONE.withUserOffset(-1)).hasMessageContaining("userOffset");
    }

    /** A user's number: {@code u<n>}, or a numeric id {@code 1000000 + n}. */
    private static long userNumber(JsonNode id) {
        return id.isNumber()
                ? id.asLong() - 1_000_000
                : Long.parseLong(id.asText().substring(1));
    }

    @Test
    void optionsRejectNonsense() {
        assertThatThrownBy(() -> EventGenerator.Options.NONE.withParetoAlpha(1.0))
                .hasMessageContaining("paretoAlpha");
        assertThatThrownBy(() -> EventGenerator.Options.NONE.withBots(-1, 10)).hasMessageContaining("bots");
        assertThatThrownBy(() -> EventGenerator.Options.NONE.withBots(1, 0)).hasMessageContaining("botEventsPerDay");
        assertThatThrownBy(() -> EventGenerator.Options.NONE.withBotPricingShare(1.5))
                .hasMessageContaining("botPricingShare");
    }

    static CliRun.Result cli(String... args) {
        return CliRun.of(args);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "--pareto-alpha, 0.5",
        "--pareto-alpha, 1",
        "--pareto-alpha, -2",
        "--bots, -1",
        "--bot-events-per-day, 0",
        "--bot-pricing-share, 1.5",
        "--bot-pricing-share, -0.1",
        "--user-offset, -1"
    })
    void cliRejectsInvalidOptions(String option, String value, @TempDir Path dir) {
        Path out = dir.resolve("events.jsonl");
        CliRun.Result r = cli("generate", "--users", "10", "--days", "2", option, value, "--out", out.toString());
        assertThat(r.status()).as("exit status (stderr: %s)", r.err()).isEqualTo(2);
        assertThat(r.err()).contains(option).doesNotContain("\tat ");
        assertThat(out).doesNotExist();
    }

    @Test
    void cliGeneratesWithTheOptions(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("events.jsonl");
        CliRun.Result r = cli(
                "generate",
                "--users",
                "200",
                "--days",
                "5",
                "--seed",
                "4",
                "--pareto-alpha",
                "1.3",
                "--bots",
                "1",
                "--bot-events-per-day",
                "100",
                "--malformed-rate",
                "0",
                "--out",
                out.toString());
        assertThat(r.status()).as("exit status (stderr: %s)", r.err()).isEqualTo(0);
        assertThat(r.out()).contains("heaviest user: ").contains("bots: 500 events");
        String text = Files.readString(out);
        assertThat(text)
                .isEqualTo(generate(
                        new EventGenerator(200, 5, 4, START, 0.0, 1.0, new EventGenerator.Options(1.3, 1, 100, 0.2))));
    }
}
