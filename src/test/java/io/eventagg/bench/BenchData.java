package io.eventagg.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventagg.generate.EventGenerator;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark dataset: the project's generator, sized to about {@code events} events for
 * {@code users} users over {@code days} days (the generator's activity is scaled to get there),
 * no malformed lines (the peers could not treat them the same way), written round-robin into
 * {@code parts} JSON-lines files so that a parallel file source has one file per reader. A second
 * copy holds only a quarter of the users (for the state measurement at two user counts).
 * Deterministic: the same parameters give the same files, which are reused when they exist.
 */
public final class BenchData {
    public static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What was generated. */
    public record Dataset(
            Path dir,
            List<Path> parts,
            List<Path> quarterParts,
            long events,
            long quarterEvents,
            int users,
            int days,
            long seed,
            double activityScale,
            long bytes) {
        public List<String> partNames() {
            return parts.stream().map(Path::toString).toList();
        }

        public List<String> quarterNames() {
            return quarterParts.stream().map(Path::toString).toList();
        }

        public Instant start() {
            return START;
        }

        public Instant end() {
            return START.plusSeconds(86_400L * days);
        }
    }

    private BenchData() {}

    /**
     * The heavy-users pair: a heavy-tailed dataset (Pareto activity and a bot) and one of the same
     * number of events spread over ordinary users, same days and seed, each one file.
     */
    public record HeavyPair(
            Path heavy,
            Path even,
            long heavyEvents,
            long evenEvents,
            int evenUsers,
            String heaviestUser,
            long heaviestUserEvents,
            long botEvents,
            long botPricingViews) {}

    /** The heavy-users pair for these parameters under {@code root}, generated unless it already exists. */
    public static HeavyPair prepareHeavy(
            Path root, int users, int days, long seed, EventGenerator.Options options, PrintStream log)
            throws IOException {
        Path dir = root.resolve("heavy-u" + users + "-d" + days + "-s" + seed + "-a" + options.paretoAlpha() + "-b"
                + options.bots() + "x" + options.botEventsPerDay() + "-p" + options.botPricingShare());
        Path manifest = dir.resolve("manifest.json");
        Path heavy = dir.resolve("heavy.jsonl");
        Path even = dir.resolve("even.jsonl");
        if (Files.exists(manifest) && Files.exists(heavy) && Files.exists(even)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = JSON.readValue(manifest.toFile(), Map.class);
            log.printf("[data] reusing %s%n", dir);
            return heavyPair(heavy, even, m);
        }
        Files.createDirectories(dir);
        EventGenerator.Stats h = new EventGenerator(users, days, seed, START, 0.0, 1.0, options).write(heavy);
        // Ordinary users only, as many as it takes for the same number of events (events grow with users).
        int evenUsers = Math.max(1, (int) Math.round((double) users
                * h.events()
                / new EventGenerator(users, days, seed, START, 0.0)
                        .write(Writer.nullWriter())
                        .events()));
        for (int i = 0; i < 4; i++) {
            long e = new EventGenerator(evenUsers, days, seed, START, 0.0)
                    .write(Writer.nullWriter())
                    .events();
            if (Math.abs(e - h.events()) <= 0.005 * h.events()) break;
            evenUsers = Math.max(1, (int) Math.round((double) evenUsers * h.events() / e));
        }
        EventGenerator.Stats ev = new EventGenerator(evenUsers, days, seed, START, 0.0).write(even);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("heavy_events", h.events());
        m.put("even_events", ev.events());
        m.put("even_users", evenUsers);
        m.put("heaviest_user", h.heaviestUser());
        m.put("heaviest_user_events", h.heaviestUserEvents());
        m.put("bot_events", h.botEvents());
        m.put("bot_pricing_views", h.botPricingViews());
        JSON.writerWithDefaultPrettyPrinter().writeValue(manifest.toFile(), m);
        log.printf(
                "[data] heavy-tailed %,d events (heaviest ordinary user %,d, bots %,d), evenly spread %,d events (%,d users) in %s%n",
                h.events(), h.heaviestUserEvents(), h.botEvents(), ev.events(), evenUsers, dir);
        return heavyPair(heavy, even, m);
    }

    private static HeavyPair heavyPair(Path heavy, Path even, Map<String, Object> m) {
        return new HeavyPair(
                heavy,
                even,
                ((Number) m.get("heavy_events")).longValue(),
                ((Number) m.get("even_events")).longValue(),
                ((Number) m.get("even_users")).intValue(),
                (String) m.get("heaviest_user"),
                ((Number) m.get("heaviest_user_events")).longValue(),
                ((Number) m.get("bot_events")).longValue(),
                ((Number) m.get("bot_pricing_views")).longValue());
    }

    /**
     * The large-state dataset: month 1, {@code users} users over {@code days} days from
     * {@link #START}; month 2, as many new users (user offset {@code users}, seed + 1) over the next
     * {@code days} days, while month 1's users send nothing. Each month in {@code parts} files.
     */
    public record Months(
            Path dir,
            List<Path> month1,
            List<Path> month2,
            long events1,
            long events2,
            int users,
            int days,
            long seed,
            double activityScale,
            long bytes) {
        public Instant month2Start() {
            return START.plusSeconds(86_400L * days);
        }
    }

    /** The two months for these parameters under {@code root}, generated unless they already exist. */
    public static Months prepareMonths(
            Path root, int users, int days, long seed, double activityScale, int parts, PrintStream log)
            throws IOException {
        Path dir = root.resolve("months-u" + users + "-d" + days + "-s" + seed + "-a" + activityScale + "-p" + parts);
        Path manifest = dir.resolve("manifest.json");
        List<Path> m1 = new ArrayList<>();
        List<Path> m2 = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            m1.add(dir.resolve("month1-" + i + ".jsonl"));
            m2.add(dir.resolve("month2-" + i + ".jsonl"));
        }
        if (Files.exists(manifest)
                && m1.stream().allMatch(Files::exists)
                && m2.stream().allMatch(Files::exists)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = JSON.readValue(manifest.toFile(), Map.class);
            log.printf("[data] reusing %s%n", dir);
            return months(dir, m1, m2, m);
        }
        Files.createDirectories(dir);
        long t0 = System.nanoTime();
        EventGenerator.Stats s1;
        EventGenerator.Stats s2;
        try (SplittingWriter w = new SplittingWriter(m1, List.of())) {
            s1 = new EventGenerator(users, days, seed, START, 0.0, activityScale).write(w);
        }
        Instant start2 = START.plusSeconds(86_400L * days);
        try (SplittingWriter w = new SplittingWriter(m2, List.of())) {
            s2 = new EventGenerator(
                            users,
                            days,
                            seed + 1,
                            start2,
                            0.0,
                            activityScale,
                            EventGenerator.Options.NONE.withUserOffset(users))
                    .write(w);
        }
        long bytes = 0;
        for (Path p : m1) bytes += Files.size(p);
        for (Path p : m2) bytes += Files.size(p);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("events1", s1.events());
        m.put("events2", s2.events());
        m.put("users", users);
        m.put("days", days);
        m.put("seed", seed);
        m.put("activity_scale", activityScale);
        m.put("bytes", bytes);
        JSON.writerWithDefaultPrettyPrinter().writeValue(manifest.toFile(), m);
        log.printf(
                "[data] generated two months of %,d users each: %,d + %,d events (%,d MB) in %.1f s into %s%n",
                users, s1.events(), s2.events(), bytes >> 20, (System.nanoTime() - t0) / 1e9, dir);
        return months(dir, m1, m2, m);
    }

    private static Months months(Path dir, List<Path> m1, List<Path> m2, Map<String, Object> m) {
        return new Months(
                dir,
                m1,
                m2,
                ((Number) m.get("events1")).longValue(),
                ((Number) m.get("events2")).longValue(),
                ((Number) m.get("users")).intValue(),
                ((Number) m.get("days")).intValue(),
                ((Number) m.get("seed")).longValue(),
                ((Number) m.get("activity_scale")).doubleValue(),
                ((Number) m.get("bytes")).longValue());
    }

    /** The dataset for these parameters under {@code root}, generated unless it already exists. */
    public static Dataset prepare(Path root, long events, int users, int days, long seed, int parts, PrintStream log)
            throws IOException {
        Path dir = root.resolve("e" + events + "-u" + users + "-d" + days + "-s" + seed + "-p" + parts);
        Dataset d = existing(dir, parts, users, days, log);
        return d != null ? d : generate(dir, users, days, seed, parts, calibrate(events, users, days, seed, log), log);
    }

    /**
     * A dataset of the generator's own density: {@code users} users over {@code days} days at a fixed
     * activity scale (1.0: the generator's default), however many events that gives. The sparse
     * dataset of {@code make bench} (60,000 users, 60 days, seed 5: 847,467 events, about 0.38 result
     * rows per event against the dense default's 0.14), generated unless it already exists.
     */
    public static Dataset prepareAtActivity(
            Path root, int users, int days, long seed, double activity, int parts, PrintStream log) throws IOException {
        Path dir = root.resolve("u" + users + "-d" + days + "-s" + seed + "-a" + activity + "-p" + parts);
        Dataset d = existing(dir, parts, users, days, log);
        return d != null ? d : generate(dir, users, days, seed, parts, activity, log);
    }

    private static Dataset existing(Path dir, int parts, int users, int days, PrintStream log) throws IOException {
        Path manifest = dir.resolve("manifest.json");
        if (!Files.exists(manifest)) return null;
        @SuppressWarnings("unchecked")
        Map<String, Object> m = JSON.readValue(manifest.toFile(), Map.class);
        Dataset d = dataset(dir, parts, m);
        if (!d.parts().stream().allMatch(Files::exists)
                || !d.quarterParts().stream().allMatch(Files::exists)) return null;
        log.printf("[data] reusing %s (%,d events, %,d users, %d days)%n", dir, d.events(), users, days);
        return d;
    }

    private static Dataset generate(Path dir, int users, int days, long seed, int parts, double scale, PrintStream log)
            throws IOException {
        Files.createDirectories(dir);
        long t0 = System.nanoTime();
        List<Path> files = new ArrayList<>();
        List<Path> quarter = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            files.add(dir.resolve("events-" + i + ".jsonl"));
            quarter.add(dir.resolve("quarter-" + i + ".jsonl"));
        }
        EventGenerator.Stats stats;
        long quarterEvents;
        try (SplittingWriter w = new SplittingWriter(files, quarter)) {
            stats = new EventGenerator(users, days, seed, START, 0.0, scale).write(w);
            quarterEvents = w.quarterLines;
        }
        long bytes = 0;
        for (Path p : files) bytes += Files.size(p);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("events", stats.events());
        m.put("quarter_events", quarterEvents);
        m.put("users", users);
        m.put("days", days);
        m.put("seed", seed);
        m.put("activity_scale", scale);
        m.put("bytes", bytes);
        JSON.writerWithDefaultPrettyPrinter()
                .writeValue(dir.resolve("manifest.json").toFile(), m);
        log.printf(
                "[data] generated %,d events (%,d MB, activity x%.3f) in %.1f s into %s%n",
                stats.events(), bytes >> 20, scale, (System.nanoTime() - t0) / 1e9, dir);
        return dataset(dir, parts, m);
    }

    private static Dataset dataset(Path dir, int parts, Map<String, Object> m) {
        List<Path> files = new ArrayList<>();
        List<Path> quarter = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            files.add(dir.resolve("events-" + i + ".jsonl"));
            quarter.add(dir.resolve("quarter-" + i + ".jsonl"));
        }
        return new Dataset(
                dir,
                files,
                quarter,
                ((Number) m.get("events")).longValue(),
                ((Number) m.get("quarter_events")).longValue(),
                ((Number) m.get("users")).intValue(),
                ((Number) m.get("days")).intValue(),
                ((Number) m.get("seed")).longValue(),
                ((Number) m.get("activity_scale")).doubleValue(),
                ((Number) m.get("bytes")).longValue());
    }

    /**
     * The activity scale that gives about {@code events} events: measured on a sample of the users
     * (events are proportional to users), then refined by linear interpolation.
     */
    static double calibrate(long events, int users, int days, long seed, PrintStream log) throws IOException {
        int sample = Math.min(users, 5_000);
        double target = (double) events * sample / users;
        double s0 = 1.0;
        double e0 = sampleEvents(sample, days, seed, s0);
        if (Math.abs(e0 - target) <= 0.01 * target) return s0;
        double s1 = Math.max(0.05, s0 * target / e0);
        double e1 = sampleEvents(sample, days, seed, s1);
        for (int i = 0; i < 6 && Math.abs(e1 - target) > 0.01 * target; i++) {
            double next = e1 == e0 ? s1 * target / e1 : s1 + (target - e1) * (s1 - s0) / (e1 - e0);
            next = Math.max(0.05, Math.min(next, 200));
            s0 = s1;
            e0 = e1;
            s1 = next;
            e1 = sampleEvents(sample, days, seed, s1);
        }
        if (Math.abs(e1 - target) > 0.05 * target) {
            log.printf(
                    "[data] note: %d users over %d days give at most ~%,.0f events; using what the generator can produce%n",
                    users, days, e1 * users / sample);
        }
        return s1;
    }

    private static double sampleEvents(int users, int days, long seed, double scale) throws IOException {
        return new EventGenerator(users, days, seed, START, 0.0, scale)
                .write(Writer.nullWriter())
                .events();
    }

    /**
     * Distributes lines round-robin over the part files, and copies lines of a quarter of the users
     * (by a hash of the distinct id) round-robin over the quarter files.
     */
    static final class SplittingWriter extends Writer {
        private final BufferedWriter[] out;
        private final BufferedWriter[] quarterOut;
        private final StringBuilder line = new StringBuilder(512);
        private long lines;
        long quarterLines;

        SplittingWriter(List<Path> parts, List<Path> quarter) throws IOException {
            out = new BufferedWriter[parts.size()];
            quarterOut = new BufferedWriter[quarter.size()];
            for (int i = 0; i < out.length; i++) out[i] = Files.newBufferedWriter(parts.get(i), StandardCharsets.UTF_8);
            for (int i = 0; i < quarterOut.length; i++)
                quarterOut[i] = Files.newBufferedWriter(quarter.get(i), StandardCharsets.UTF_8);
        }

        @Override
        public void write(char[] cbuf, int off, int len) throws IOException {
            write(new String(cbuf, off, len));
        }

        @Override
        public void write(String s) throws IOException {
            write(s, 0, s.length());
        }

        @Override
        public void write(String s, int off, int len) throws IOException {
            int end = off + len;
            while (off < end) {
                int nl = s.indexOf('\n', off);
                if (nl < 0 || nl >= end) {
                    line.append(s, off, end);
                    return;
                }
                line.append(s, off, nl);
                write('\n');
                off = nl + 1;
            }
        }

        @Override
        public void write(int c) throws IOException {
            line.append((char) c);
            if (c == '\n') {
                out[(int) (lines++ % out.length)].append(line);
                if (quarterOut.length > 0 && inQuarter(line))
                    quarterOut[(int) (quarterLines++ % quarterOut.length)].append(line);
                line.setLength(0);
            }
        }

        static boolean inQuarter(CharSequence line) {
            String s = line.toString();
            int i = s.indexOf("\"distinct_id\":");
            if (i < 0) return false;
            int from = i + "\"distinct_id\":".length();
            int to = from;
            while (to < s.length() && s.charAt(to) != ',' && s.charAt(to) != '}') to++;
            return Math.floorMod(s.substring(from, to).replace("\"", "").hashCode() * 0x9E3779B1, 4) == 0;
        }

        @Override
        public void flush() throws IOException {
            for (BufferedWriter w : out) w.flush();
            for (BufferedWriter w : quarterOut) w.flush();
        }

        @Override
        public void close() throws IOException {
            for (BufferedWriter w : out) w.close();
            for (BufferedWriter w : quarterOut) w.close();
        }
    }
}
