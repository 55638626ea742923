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
import java.util.SplittableRandom;
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
 */
public final class EventGenerator {
    private static final String[] COUNTRIES = {"US", "DE", "GB", "IN", "FR", "BR", "CA", "JP", "NL", "ES", "IT", "AU",
        "PL", "SE", "MX", "KR", "CH", "AT", "BE", "DK", "NO", "FI", "IE", "PT", "CZ", "RO", "TR", "ZA", "AR", "NZ"};
    private static final String[] PATHS = {"/", "/pricing", "/docs", "/blog", "/features", "/about", "/docs/getting-started",
        "/docs/api", "/blog/launch", "/careers", "/contact", "/changelog"};
    private static final String[] FEATURES = {"search", "clicked_button", "exported_report", "viewed_dashboard"};

    private final int users;
    private final int days;
    private final long seed;
    private final long startMs;
    private final double malformedRate;
    private final double activityScale;

    public EventGenerator(int users, int days, long seed, Instant start, double malformedRate) {
        this(users, days, seed, start, malformedRate, 1.0);
    }

    /**
     * @param activityScale multiplies every user's daily activity (capped at one active day per
     *     day): more events for the same users and days, e.g. to size a benchmark dataset; 1.0
     *     generates exactly what the five-argument constructor does
     */
    public EventGenerator(int users, int days, long seed, Instant start, double malformedRate, double activityScale) {
        if (users < 1) throw new IllegalArgumentException("users must be at least 1");
        if (days < 1) throw new IllegalArgumentException("days must be at least 1");
        if (!(activityScale > 0)) throw new IllegalArgumentException("activityScale must be positive");
        this.users = users;
        this.days = days;
        this.seed = seed;
        this.startMs = start.toEpochMilli();
        this.malformedRate = malformedRate;
        this.activityScale = activityScale;
    }

    /** What a generation produced. */
    public record Stats(long lines, long events, long malformed) {}

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
        for (int i = 0; i < users; i++) profiles[i] = UserProfile.create(i, root.split(), days, activityScale);
        long lines = 0, events = 0, malformed = 0;
        List<Pending> carry = new ArrayList<>();
        SplittableRandom noise = root.split();
        // Events land in the list of the day they happen on (a purchase may follow days later);
        // events after the last day are not generated.
        List<List<Pending>> byDay = new ArrayList<>();
        for (int d = 0; d < days; d++) byDay.add(new ArrayList<>());
        java.util.function.Consumer<Pending> sink = p -> {
            long d = Math.floorDiv(p.ts - startMs, 86_400_000L);
            if (d >= 0 && d < days) byDay.get((int) d).add(p);
        };
        for (int day = 0; day < days; day++) {
            long dayStart = startMs + day * 86_400_000L;
            for (UserProfile u : profiles) u.simulateDay(day, dayStart, sink);
            List<Pending> today = new ArrayList<>(carry);
            today.addAll(byDay.get(day));
            byDay.set(day, null);
            carry.clear();
            for (Pending p : today) p.arrival = p.arrival == 0 ? p.ts + delay(noise) : p.arrival;
            today.sort(Comparator.comparingLong((Pending p) -> p.arrival).thenComparingLong(p -> p.seq));
            long dayEnd = dayStart + 86_400_000L;
            for (Pending p : today) {
                if (p.arrival >= dayEnd && day < days - 1) {
                    carry.add(p);
                    continue;
                }
                if (noise.nextDouble() < malformedRate) {
                    w.write(malform(p, noise));
                    malformed++;
                } else {
                    w.write(p.json(noise));
                    events++;
                }
                w.write('\n');
                lines++;
            }
        }
        return new Stats(lines, events, malformed);
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
        final int id;
        final String distinctId;
        final boolean numericId;
        final String country;
        String plan;
        final double activity;
        final int firstDay;
        final String environment;
        final SplittableRandom r;
        boolean signedUp;
        boolean purchased;
        boolean onboarded;
        int sessions;
        int events;

        private UserProfile(int id, SplittableRandom r, int days, double activityScale) {
            this.id = id;
            this.r = r;
            this.numericId = r.nextDouble() < 0.01;
            this.distinctId = numericId ? Integer.toString(1_000_000 + id) : "u" + id;
            double c = r.nextDouble();
            this.country = COUNTRIES[(int) (Math.pow(c, 2.2) * COUNTRIES.length)];
            this.plan = "free";
            // Pareto-distributed activity: most users rare, a few daily.
            double a = Math.min(1.0, 0.02 / Math.pow(1 - r.nextDouble() * 0.999, 0.8));
            this.activity = activityScale == 1.0 ? a : Math.min(1.0, a * activityScale);
            this.firstDay = r.nextDouble() < 0.3 ? 0 : r.nextInt(days);
            this.environment = r.nextDouble() < 0.04 ? "staging" : "production";
        }

        static UserProfile create(int id, SplittableRandom r, int days, double activityScale) {
            return new UserProfile(id, r, days, activityScale);
        }

        void simulateDay(int day, long dayStart, java.util.function.Consumer<Pending> out) {
            if (day < firstDay) return;
            double p = day == firstDay ? 1.0 : activity * (signedUp ? 1.0 : 0.35);
            if (r.nextDouble() >= p) return;
            int n = 1 + (r.nextDouble() < activity ? r.nextInt(3) : 0);
            // Daytime-weighted session starts.
            for (int s = 0; s < n; s++) {
                long t = dayStart + (long) ((6 + r.nextDouble() * 16) * 3_600_000L) + r.nextLong(0, 3_600_000L);
                if (t >= dayStart + 86_400_000L) t = dayStart + 86_399_000L;
                session(t, out);
            }
        }

        private void session(long t, java.util.function.Consumer<Pending> out) {
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
                    out.accept(event(FEATURES[r.nextInt(FEATURES.length)], t, session, "\"count\":" + (1 + r.nextInt(20))));
                    t += r.nextLong(1_000, 60_000);
                }
                if (!onboarded && r.nextDouble() < 0.4) {
                    out.accept(event("created_project", t, session, "\"template\":\"" + (r.nextBoolean() ? "blank" : "starter") + "\""));
                    t += r.nextLong(10_000, 600_000);
                    if (r.nextDouble() < 0.5) {
                        out.accept(event("invited_teammate", t, session, null));
                        onboarded = true;
                    }
                }
            }
        }

        private long pricing(long t, String session, java.util.function.Consumer<Pending> out) {
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
                long wait = r.nextDouble() < 0.7 ? r.nextLong(10_000, 3_600_000) : r.nextLong(3_600_000, 10 * 86_400_000L);
                String newPlan = r.nextDouble() < 0.8 ? "pro" : "enterprise";
                int amount = newPlan.equals("pro") ? 29 : 299;
                out.accept(event("purchase", t + wait, session, "\"amount\":" + amount + ",\"currency\":\"USD\""));
                purchased = true;
                plan = newPlan;
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
            this.seq = ((long) user.id << 24) | (user.events++ & 0xFFFFFF);
        }

        String json(SplittableRandom r) {
            StringBuilder sb = new StringBuilder(256);
            sb.append("{\"uuid\":\"").append(uuid()).append("\",\"event\":\"").append(name).append("\",\"distinct_id\":");
            if (user.numericId) sb.append(user.distinctId);
            else sb.append('"').append(user.distinctId).append('"');
            sb.append(",\"timestamp\":");
            double f = (uuidBits >>> 11) * 0x1.0p-53;
            if (f < 0.05) {
                sb.append(ts);
            } else if (f < 0.10) {
                sb.append('"').append(OFFSET_FORMAT.format(Instant.ofEpochMilli(ts))).append('"');
            } else {
                sb.append('"').append(Instant.ofEpochMilli(ts)).append('"');
            }
            if (!user.environment.equals("production") || (uuidBits & 7) != 0) {
                sb.append(",\"environment\":\"").append(user.environment).append('"');
            }
            sb.append(",\"session_id\":\"").append(session).append('"');
            sb.append(",\"properties\":{\"plan\":\"").append(plan).append("\",\"country\":\"").append(user.country).append('"');
            if (extra != null) sb.append(',').append(extra);
            sb.append("}}");
            return sb.toString();
        }

        private String uuid() {
            long hi = uuidBits;
            long lo = Long.rotateLeft(uuidBits * 0x9E3779B97F4A7C15L, 17) ^ seq;
            return new java.util.UUID((hi & ~0xF000L) | 0x4000L, (lo & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
        }
    }

    private static final DateTimeFormatter OFFSET_FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxxx").withZone(ZoneOffset.ofHoursMinutes(5, 30));
}
