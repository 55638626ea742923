package io.eventagg.generate;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

/**
 * Deterministic, realistic synthetic product-analytics events: the same arguments always give the
 * same file, on any machine.
 *
 * <p>Users have Zipf-skewed activity (a few power users, a long tail), a plan and a country; active
 * days have one to a few sessions of page views and product events. Behaviour includes a pricing →
 * signup → purchase funnel (with some cancels between signup and purchase), an onboarding funnel
 * (signup → created_project → invited_teammate) and returning users for retention. Arrival order
 * is perturbed like real client batching: most events arrive within seconds, some tens of seconds
 * late, a few minutes to tens of minutes late (within a one-hour allowed lateness) and a few hours
 * late. About {@code malformedRate} of the lines are broken in assorted ways. Timestamps are mostly
 * ISO-8601 UTC with milliseconds, some with a +05:30 offset and some as epoch milliseconds.
 *
 * <p>{@link Options} add what real product data has and the default does not: a heavy tail of
 * per-user activity (integrations, test accounts and power users with tens of thousands of events
 * while most users send a few) and bots sending thousands of events a day. With the options off the
 * output is exactly what it was before they existed. The heavy-tailed example is
 * {@code generate --users 1545 --days 90 --pareto-alpha 1.3 --seed 36}: 201,788 events, the
 * heaviest user 45,744 of them (3,747 pricing page views, 8 %: inside a session heavy users behave
 * like everyone else), the second 11,844, the median user 11; the top 1 % of users send 55 %. Seeds
 * 1 to 50 give 118k to 356k events, with a heaviest user of 8k to 161k.
 */
public final class EventGenerator {
    private static final String[] COUNTRIES = {
        "US", "DE", "GB", "IN", "FR", "BR", "CA", "JP", "NL", "ES", "IT", "AU", "PL", "SE", "MX", "KR", "CH", "AT",
        "BE", "DK", "NO", "FI", "IE", "PT", "CZ", "RO", "TR", "ZA", "AR", "NZ"
    };
    private static final String[] PATHS = {
        "/",
        "/pricing",
        "/docs",
        "/blog",
        "/features",
        "/about",
        "/docs/getting-started",
        "/docs/api",
        "/blog/launch",
        "/careers",
        "/contact",
        "/changelog"
    };
    private static final String[] FEATURES = {"search", "clicked_button", "exported_report", "viewed_dashboard"};
    /** What bots do besides page views: automated searches and clicks. */
    private static final String[] BOT_ACTIONS = {"search", "clicked_button"};
    /** Share of a bot's events that are neither /pricing nor another page view. */
    private static final double BOT_ACTION_SHARE = 0.25;
    /**
     * A heavy-tail weight multiplies the sessions of an active day (one to three) by
     * {@code weight / WEIGHT_PER_SESSION} once that is above 1; below, the weight only makes days
     * more likely to be active.
     */
    static final double WEIGHT_PER_SESSION = 10.0;
    /** At most this many sessions a day for one user: about 2,000 events. */
    static final int MAX_SESSIONS_PER_DAY = 400;

    private final int users;
    private final int days;
    private final long seed;
    private final long startMs;
    private final double malformedRate;
    private final double activityScale;
    private final Options options;

    /**
     * Additions to the default generation, each off by default. Every option draws from random
     * streams of its own, split off after the default ones, so that turning one on leaves the rest
     * of the randomness as it was where possible: with bots, the other users' lines are the same
     * lines in the same order, with the bots' lines between them.
     *
     * @param paretoAlpha 0 (off) or the shape (greater than 1, so that the mean is finite) of a
     *     Pareto distribution (minimum 1) from which every user draws an activity weight: a weight
     *     near 1 is today's typical user; a larger one makes active days more likely and then
     *     multiplies the sessions of an active day by weight / {@value #WEIGHT_PER_SESSION} (at most
     *     {@value #MAX_SESSIONS_PER_DAY} sessions, about 2,000 events a day), so that a weight of a
     *     few hundred sends hundreds of events a day. What users do inside a session is unchanged,
     *     so heavy users send many pricing page views (the funnel's first step) but sign up once.
     * @param bots extra users {@code bot-0}, {@code bot-1}, ... (production) that send
     *     {@code botEventsPerDay} events on every day, spread over the day; they never sign up
     * @param botEventsPerDay events a bot sends a day (1 to 86,400,000, one a millisecond)
     * @param botPricingShare share of a bot's events that are {@code pageview} of {@code /pricing};
     *     the rest are other page views and some searches and button clicks
     * @param userOffset added to every user's number (its distinct id {@code u<n>} or
     *     {@code 1000000 + n}, its session ids and event uuids): a second generation with an offset of
     *     at least the first's users (and another seed) is new users only, e.g. a later month with
     *     {@code start} after the first's days in which the first month's users are gone
     */
    public record Options(double paretoAlpha, int bots, int botEventsPerDay, double botPricingShare, long userOffset) {
        /** Everything off: the default generation. */
        public static final Options NONE = new Options(0, 0, 10_000, 0.2, 0);

        /** Without a user offset. */
        public Options(double paretoAlpha, int bots, int botEventsPerDay, double botPricingShare) {
            this(paretoAlpha, bots, botEventsPerDay, botPricingShare, 0);
        }

        public Options {
            if (!(paretoAlpha == 0 || (paretoAlpha > 1 && Double.isFinite(paretoAlpha)))) {
                throw new IllegalArgumentException("paretoAlpha must be 0 (off) or greater than 1, was " + paretoAlpha);
            }
            if (bots < 0) throw new IllegalArgumentException("bots must not be negative, was " + bots);
            if (botEventsPerDay < 1 || botEventsPerDay > 86_400_000) {
                throw new IllegalArgumentException(
                        "botEventsPerDay must be between 1 and 86,400,000, was " + botEventsPerDay);
            }
            if (!(botPricingShare >= 0 && botPricingShare <= 1)) {
                throw new IllegalArgumentException("botPricingShare must be between 0 and 1, was " + botPricingShare);
            }
            if (userOffset < 0 || userOffset > 1_000_000_000_000L) {
                throw new IllegalArgumentException("userOffset must be between 0 and 10^12, was " + userOffset);
            }
        }

        public Options withParetoAlpha(double alpha) {
            return new Options(alpha, bots, botEventsPerDay, botPricingShare, userOffset);
        }

        public Options withBots(int count, int eventsPerDay) {
            return new Options(paretoAlpha, count, eventsPerDay, botPricingShare, userOffset);
        }

        public Options withBotPricingShare(double share) {
            return new Options(paretoAlpha, bots, botEventsPerDay, share, userOffset);
        }

        public Options withUserOffset(long offset) {
            return new Options(paretoAlpha, bots, botEventsPerDay, botPricingShare, offset);
        }
    }

    public EventGenerator(int users, int days, long seed, Instant start, double malformedRate) {
        this(users, days, seed, start, malformedRate, 1.0);
    }

    /**
     * @param activityScale multiplies every user's daily activity (capped at one active day per
     *     day): more events for the same users and days, e.g. to size a benchmark dataset; 1.0
     *     generates exactly what the five-argument constructor does
     */
    public EventGenerator(int users, int days, long seed, Instant start, double malformedRate, double activityScale) {
        this(users, days, seed, start, malformedRate, activityScale, Options.NONE);
    }

    /** With {@link Options}; {@link Options#NONE} generates exactly what the six-argument constructor does. */
    public EventGenerator(
            int users,
            int days,
            long seed,
            Instant start,
            double malformedRate,
            double activityScale,
            Options options) {
        if (users < 1) throw new IllegalArgumentException("users must be at least 1");
        if (days < 1) throw new IllegalArgumentException("days must be at least 1");
        if (!(activityScale > 0)) throw new IllegalArgumentException("activityScale must be positive");
        this.users = users;
        this.days = days;
        this.seed = seed;
        this.startMs = start.toEpochMilli();
        this.malformedRate = malformedRate;
        this.activityScale = activityScale;
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * What a generation produced. The heaviest user is the (non-bot) user with the most valid
     * events, to see how heavy a tail came out; bot figures are over all bots. Broken lines count
     * for nobody.
     */
    public record Stats(
            long lines,
            long events,
            long malformed,
            String heaviestUser,
            long heaviestUserEvents,
            long heaviestUserPricingViews,
            long botEvents,
            long botPricingViews) {
        public Stats(long lines, long events, long malformed) {
            this(lines, events, malformed, null, 0, 0, 0, 0);
        }
    }

    public Stats write(Path out) throws IOException {
        if (out.getParent() != null) Files.createDirectories(out.getParent());
        try (OutputStream raw = Files.newOutputStream(out)) {
            OutputStream os = out.toString().endsWith(".gz") ? new GZIPOutputStream(raw, 1 << 16) : raw;
            try (Writer w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16)) {
                return write(w);
            }
        }
    }

    public Stats write(Writer w) throws IOException {
        SplittableRandom root = new SplittableRandom(seed);
        UserProfile[] profiles = new UserProfile[users];
        for (int i = 0; i < users; i++)
            profiles[i] = UserProfile.create(options.userOffset() + i, root.split(), days, activityScale);
        long lines = 0, events = 0, malformed = 0;
        List<Pending> carry = new ArrayList<>();
        SplittableRandom noise = root.split();
        // The options' streams come after the default ones, which they therefore leave alone.
        SplittableRandom weights = root.split();
        SplittableRandom botRoot = root.split();
        if (options.paretoAlpha() > 0) {
            for (UserProfile u : profiles) u.weigh(pareto(weights, options.paretoAlpha()));
        }
        UserProfile[] bots = new UserProfile[options.bots()];
        for (int b = 0; b < bots.length; b++)
            bots[b] = UserProfile.bot(options.userOffset() + users + b, b, botRoot.split());
        // Bots' arrival delays and broken lines draw from a stream of their own.
        SplittableRandom botNoise = botRoot.split();
        // Events land in the list of the day they happen on (a purchase may follow days later);
        // events after the last day are not generated.
        List<List<Pending>> byDay = new ArrayList<>();
        for (int d = 0; d < days; d++) byDay.add(new ArrayList<>());
        Consumer<Pending> sink = p -> {
            long d = Math.floorDiv(p.ts - startMs, 86_400_000L);
            if (d >= 0 && d < days) byDay.get((int) d).add(p);
        };
        for (int day = 0; day < days; day++) {
            long dayStart = startMs + day * 86_400_000L;
            for (UserProfile u : profiles) u.simulateDay(day, dayStart, sink);
            for (UserProfile b : bots) b.simulateBotDay(dayStart, options, sink);
            List<Pending> today = new ArrayList<>(carry);
            today.addAll(byDay.get(day));
            byDay.set(day, null);
            carry.clear();
            for (Pending p : today)
                p.arrival = p.arrival == 0 ? p.ts + delay(p.user.bot ? botNoise : noise) : p.arrival;
            today.sort(Comparator.comparingLong((Pending p) -> p.arrival).thenComparingLong(p -> p.seq));
            long dayEnd = dayStart + 86_400_000L;
            for (Pending p : today) {
                if (p.arrival >= dayEnd && day < days - 1) {
                    carry.add(p);
                    continue;
                }
                SplittableRandom r = p.user.bot ? botNoise : noise;
                if (r.nextDouble() < malformedRate) {
                    w.write(malform(p, r));
                    malformed++;
                } else {
                    w.write(p.json(r));
                    events++;
                    p.user.countWritten(p);
                }
                w.write('\n');
                lines++;
            }
        }
        return stats(lines, events, malformed, profiles, bots);
    }

    private static Stats stats(long lines, long events, long malformed, UserProfile[] profiles, UserProfile[] bots) {
        UserProfile heaviest = profiles[0];
        for (UserProfile u : profiles) if (u.written > heaviest.written) heaviest = u;
        long botEvents = 0, botPricing = 0;
        for (UserProfile b : bots) {
            botEvents += b.written;
            botPricing += b.pricingViews;
        }
        return new Stats(
                lines,
                events,
                malformed,
                heaviest.distinctId,
                heaviest.written,
                heaviest.pricingViews,
                botEvents,
                botPricing);
    }

    /** A Pareto draw with minimum 1 and shape {@code alpha} (inverse transform). */
    static double pareto(SplittableRandom r, double alpha) {
        return Math.pow(1 - r.nextDouble(), -1 / alpha);
    }

    /** Arrival delay after the event time: mostly seconds, a long tail up to hours. */
    private static long delay(SplittableRandom r) {
        double x = r.nextDouble();
        if (x < 0.95) return r.nextLong(0, 5_000);
        if (x < 0.99) return r.nextLong(5_000, 25_000);
        if (x < 0.998) return r.nextLong(60_000, 40 * 60_000);
        return r.nextLong(2 * 3_600_000L, 5 * 3_600_000L);
    }

    private static String malform(Pending p, SplittableRandom r) {
        String good = p.json(r);
        String bad = switch (r.nextInt(9)) {
            case 0 -> good.substring(0, Math.max(1, good.length() / 2));
            case 1 -> good.replace("\"distinct_id\":", "\"distinct\":");
            case 2 -> good.replaceFirst("\"timestamp\":[^,]*,", "\"timestamp\":\"yesterday\",");
            case 3 -> good.replaceFirst("\"event\":\"[^\"]*\"", "\"event\":\"\"");
            case 4 -> good.replaceFirst("\"event\":\"[^\"]*\"", "\"event\":42");
            case 5 -> "[" + good + "]";
            case 6 -> good.replaceFirst("\"properties\":\\{", "\"properties\":\"oops\",\"x\":{");
            case 7 -> good.replaceFirst("\"timestamp\":\"([^\"]{19})[^\"]*\"", "\"timestamp\":\"$1\"");
            default -> "this is not json " + r.nextInt(1000);
        };
        // Some breakages do not apply to every event (an epoch-millisecond timestamp has no offset
        // to drop): a line that stayed valid is broken another way, so every malformed line is one.
        return bad.equals(good) ? "{\"event\": " + r.nextInt(1000) + "}" : bad;
    }

    /** One simulated user. */
    static final class UserProfile {
        final long id;
        final String distinctId;
        final boolean numericId;
        final String country;
        String plan;
        final double activity;
        final int firstDay;
        final String environment;
        final SplittableRandom r;
        final boolean bot;
        /** Chance of an active day and of extra sessions: {@code activity} unless weighed. */
        double dayActivity;
        /** Sessions on an active day are multiplied by this when above 1 (heavy-tailed users). */
        double sessionScale = 1.0;
        /** Valid events written, and how many of them were /pricing page views. */
        long written;

        long pricingViews;
        boolean signedUp;
        boolean purchased;
        boolean onboarded;
        int sessions;
        int events;

        private UserProfile(long id, SplittableRandom r, int days, double activityScale) {
            this.id = id;
            this.r = r;
            this.numericId = r.nextDouble() < 0.01;
            this.distinctId = numericId ? Long.toString(1_000_000 + id) : "u" + id;
            double c = r.nextDouble();
            this.country = COUNTRIES[(int) (Math.pow(c, 2.2) * COUNTRIES.length)];
            this.plan = "free";
            // Pareto-distributed activity: most users rare, a few daily.
            double a = Math.min(1.0, 0.02 / Math.pow(1 - r.nextDouble() * 0.999, 0.8));
            this.activity = activityScale == 1.0 ? a : Math.min(1.0, a * activityScale);
            this.firstDay = r.nextDouble() < 0.3 ? 0 : r.nextInt(days);
            this.environment = r.nextDouble() < 0.04 ? "staging" : "production";
            this.bot = false;
            this.dayActivity = activity;
        }

        /** A bot: production, free plan, a country of its own stream; it never signs up. */
        private UserProfile(long id, int index, SplittableRandom r) {
            this.id = id;
            this.r = r;
            this.numericId = false;
            this.distinctId = "bot-" + index;
            this.country = COUNTRIES[r.nextInt(COUNTRIES.length)];
            this.plan = "free";
            this.activity = 1.0;
            this.firstDay = 0;
            this.environment = "production";
            this.bot = true;
            this.dayActivity = 1.0;
        }

        static UserProfile bot(long id, int index, SplittableRandom r) {
            return new UserProfile(id, index, r);
        }

        /**
         * Applies a heavy-tail weight: the weight first makes active days more likely (a weight of
         * 1 changes nothing), then adds sessions on active days.
         */
        void weigh(double weight) {
            this.dayActivity = Math.min(1.0, activity * weight);
            this.sessionScale = weight / WEIGHT_PER_SESSION;
        }

        void countWritten(Pending p) {
            written++;
            if (p.name.equals("pageview") && PRICING_PATH.equals(p.extra)) pricingViews++;
        }

        static UserProfile create(long id, SplittableRandom r, int days, double activityScale) {
            return new UserProfile(id, r, days, activityScale);
        }

        void simulateDay(int day, long dayStart, Consumer<Pending> out) {
            if (day < firstDay) return;
            double p = day == firstDay ? 1.0 : dayActivity * (signedUp ? 1.0 : 0.35);
            if (r.nextDouble() >= p) return;
            int n = 1 + (r.nextDouble() < dayActivity ? r.nextInt(3) : 0);
            if (sessionScale > 1) n = scaledSessions(n);
            // Daytime-weighted session starts.
            for (int s = 0; s < n; s++) {
                long t = dayStart + (long) ((6 + r.nextDouble() * 16) * 3_600_000L) + r.nextLong(0, 3_600_000L);
                if (t >= dayStart + 86_400_000L) t = dayStart + 86_399_000L;
                session(t, out);
            }
        }

        /** {@code n × sessionScale}, rounded at random so that the mean is exact, capped. */
        private int scaledSessions(int n) {
            double x = n * sessionScale;
            int k = (int) Math.min(MAX_SESSIONS_PER_DAY, x);
            if (k < MAX_SESSIONS_PER_DAY && r.nextDouble() < x - k) k++;
            return k;
        }

        /**
         * A bot's day: {@code botEventsPerDay} events, one in each equal slot of the day at a random
         * point of it (so strictly increasing timestamps), in one session.
         */
        void simulateBotDay(long dayStart, Options o, Consumer<Pending> out) {
            String session = "s" + distinctId + "-" + (sessions++);
            long slot = 86_400_000L / o.botEventsPerDay();
            for (int i = 0; i < o.botEventsPerDay(); i++) {
                long t = dayStart + i * slot + r.nextLong(0, slot);
                double x = r.nextDouble();
                if (x < o.botPricingShare()) {
                    out.accept(event("pageview", t, session, PRICING_PATH));
                } else if (r.nextDouble() < BOT_ACTION_SHARE) {
                    out.accept(event(
                            BOT_ACTIONS[r.nextInt(BOT_ACTIONS.length)], t, session, "\"count\":" + (1 + r.nextInt(5))));
                } else {
                    int k = r.nextInt(PATHS.length - 1);
                    String path = PATHS[k == 0 ? 0 : k + 1]; // any but /pricing (PATHS[1])
                    out.accept(event("pageview", t, session, "\"path\":\"" + path + "\""));
                }
            }
        }

        private void session(long t, Consumer<Pending> out) {
            String session = "s" + id + "-" + (sessions++);
            int pages = 1 + (int) (-Math.log(1 - r.nextDouble()) * 3);
            for (int i = 0; i < pages; i++) {
                String path = PATHS[(int) (Math.pow(r.nextDouble(), 1.8) * PATHS.length)];
                out.accept(event("pageview", t, session, "\"path\":\"" + path + "\""));
                t += r.nextLong(2_000, 90_000);
                if (path.equals("/pricing")) t = pricing(t, session, out);
            }
            if (signedUp && r.nextDouble() < 0.5) {
                out.accept(event("login", t, session, null));
                t += r.nextLong(1_000, 30_000);
            }
            if (signedUp) {
                int features = r.nextInt(3);
                for (int i = 0; i < features; i++) {
                    out.accept(event(
                            FEATURES[r.nextInt(FEATURES.length)], t, session, "\"count\":" + (1 + r.nextInt(20))));
                    t += r.nextLong(1_000, 60_000);
                }
                if (!onboarded && r.nextDouble() < 0.4) {
                    out.accept(event(
                            "created_project",
                            t,
                            session,
                            "\"template\":\"" + (r.nextBoolean() ? "blank" : "starter") + "\""));
                    t += r.nextLong(10_000, 600_000);
                    if (r.nextDouble() < 0.5) {
                        out.accept(event("invited_teammate", t, session, null));
                        onboarded = true;
                    }
                }
            }
        }

        private long pricing(long t, String session, Consumer<Pending> out) {
            if (!signedUp && r.nextDouble() < 0.35) {
                t += r.nextLong(5_000, 20 * 60_000);
                out.accept(event("signup", t, session, "\"source\":\"" + (r.nextBoolean() ? "organic" : "ads") + "\""));
                signedUp = true;
                t += r.nextLong(1_000, 60_000);
            }
            if (signedUp && !purchased && r.nextDouble() < 0.3) {
                if (r.nextDouble() < 0.1) {
                    out.accept(event("cancel", t, session, null));
                    t += r.nextLong(1_000, 60_000);
                }
                long wait =
                        r.nextDouble() < 0.7 ? r.nextLong(10_000, 3_600_000) : r.nextLong(3_600_000, 10 * 86_400_000L);
                String newPlan = r.nextDouble() < 0.8 ? "pro" : "enterprise";
                int amount = newPlan.equals("pro") ? 29 : 299;
                // The purchase is of the new plan: it carries it, as every later event does.
                plan = newPlan;
                out.accept(event("purchase", t + wait, session, "\"amount\":" + amount + ",\"currency\":\"USD\""));
                purchased = true;
            }
            return t;
        }

        private Pending event(String name, long ts, String session, String extra) {
            return new Pending(this, name, ts, session, extra, r.nextLong());
        }
    }

    /** An event waiting to be written, with its arrival time. */
    static final class Pending {
        final UserProfile user;
        final String name;
        final long ts;
        final String session;
        final String extra;
        final String plan;
        final long uuidBits;
        final long seq;
        long arrival;

        Pending(UserProfile user, String name, long ts, String session, String extra, long uuidBits) {
            this.user = user;
            this.name = name;
            this.ts = ts;
            this.session = session;
            this.extra = extra;
            this.plan = user.plan;
            this.uuidBits = uuidBits;
            this.seq = (user.id << 24) | (user.events++ & 0xFFFFFF);
        }

        String json(SplittableRandom r) {
            StringBuilder sb = new StringBuilder(256);
            sb.append("{\"uuid\":\"")
                    .append(uuid())
                    .append("\",\"event\":\"")
                    .append(name)
                    .append("\",\"distinct_id\":");
            if (user.numericId) sb.append(user.distinctId);
            else sb.append('"').append(user.distinctId).append('"');
            sb.append(",\"timestamp\":");
            double f = (uuidBits >>> 11) * 0x1.0p-53;
            if (f < 0.05) {
                sb.append(ts);
            } else if (f < 0.10) {
                sb.append('"')
                        .append(OFFSET_FORMAT.format(Instant.ofEpochMilli(ts)))
                        .append('"');
            } else {
                sb.append('"').append(Instant.ofEpochMilli(ts)).append('"');
            }
            if (!user.environment.equals("production") || (uuidBits & 7) != 0) {
                sb.append(",\"environment\":\"").append(user.environment).append('"');
            }
            sb.append(",\"session_id\":\"").append(session).append('"');
            sb.append(",\"properties\":{\"plan\":\"")
                    .append(plan)
                    .append("\",\"country\":\"")
                    .append(user.country)
                    .append('"');
            if (extra != null) sb.append(',').append(extra);
            sb.append("}}");
            return sb.toString();
        }

        private String uuid() {
            long hi = uuidBits;
            long lo = Long.rotateLeft(uuidBits * 0x9E3779B97F4A7C15L, 17) ^ seq;
            return new UUID((hi & ~0xF000L) | 0x4000L, (lo & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
        }
    }

    private static final String PRICING_PATH = "\"path\":\"/pricing\"";

    private static final DateTimeFormatter OFFSET_FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxxx").withZone(ZoneOffset.ofHoursMinutes(5, 30));
}
