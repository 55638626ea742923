package io.eventagg.serve;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.eventagg.config.ConfigException;
import io.eventagg.config.Instants;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.TimeZones;
import io.eventagg.query.AggregationResult;
import io.eventagg.query.Catalog;
import io.eventagg.query.FunnelQuery;
import io.eventagg.query.FunnelResult;
import io.eventagg.query.MeasureQuery;
import io.eventagg.query.MeasureResult;
import io.eventagg.query.QueryException;
import io.eventagg.query.RetentionQuery;
import io.eventagg.query.RetentionResult;
import io.eventagg.query.StickinessQuery;
import io.eventagg.query.StickinessResult;
import io.eventagg.query.TimeSeriesQuery;
import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The API's questions: parameters parsed and checked as the CLI checks its flags, answered through
 * the pool's storages, and answers that can no longer change kept for a while (open buckets, open
 * conversion windows and periods, and ranges a refresh is rewriting are always read afresh).
 */
final class Api {
    /** Buckets one time-series answer may hold (five weeks of minutes, five years of hours). */
    static final int MAX_POINTS = 50_000;

    static final Set<String> SERIES_PARAMS =
            Set.of("events", "granularity", "from", "to", "environment", "breakdown", "active_windows", "timezone");
    static final Set<String> FUNNEL_PARAMS = Set.of("from", "to", "environment");
    static final Set<String> RETENTION_PARAMS = Set.of("from", "to", "environment", "mode");
    static final Set<String> STICKINESS_PARAMS = Set.of("period", "from", "to", "environment");
    static final Set<String> MEASURE_PARAMS = Set.of("granularity", "from", "to", "environment");

    private final JobDefinition job;
    private final StoragePool pool;
    private final Cache<String, Object> answers;
    private final Cache<String, Catalog> catalog;

    Api(JobDefinition job, StoragePool pool, Duration cacheTtl) {
        this.job = job;
        this.pool = pool;
        this.answers = Caffeine.newBuilder()
                .expireAfterWrite(cacheTtl)
                .maximumSize(5_000)
                .build();
        // Short: it carries the watermark, which moves while a job runs.
        this.catalog =
                Caffeine.newBuilder().expireAfterWrite(Duration.ofSeconds(5)).build();
    }

    Catalog catalog() {
        return catalog.get("", k -> pool.with(s -> s.catalog()));
    }

    AggregationResult timeSeries(Map<String, List<String>> params) {
        check(params, SERIES_PARAMS);
        String g = one(params, "granularity");
        if (g == null) throw new ConfigException("granularity", "is required (minute, hour, day, week or month)");
        Granularity granularity = Granularity.parse(g);
        if (granularity == null)
            throw new ConfigException("granularity", "'" + g + "' is not one of minute, hour, day, week, month");
        String tz = one(params, "timezone");
        ZoneId zone = tz == null ? null : TimeZones.parse("timezone", tz);
        Instant from = time(params, "from", zone), to = time(params, "to", zone);
        requireFewBuckets(granularity, from, to);
        List<Integer> windows = new ArrayList<>();
        for (String w : list(params, "active_windows")) {
            try {
                windows.add(Integer.parseInt(w));
            } catch (NumberFormatException e) {
                throw new ConfigException("active_windows", "'" + w + "' is not a number of days");
            }
        }
        TimeSeriesQuery q = new TimeSeriesQuery(
                list(params, "events"),
                from,
                to,
                granularity,
                one(params, "environment"),
                list(params, "breakdown"),
                null,
                windows,
                zone);
        return cached(
                "timeseries",
                params,
                () -> pool.with(s -> s.query(q)),
                r -> r.refreshInProgress() == null && isFinal(q.to()));
    }

    FunnelResult funnel(String name, Map<String, List<String>> params) {
        check(params, FUNNEL_PARAMS);
        FunnelQuery q = new FunnelQuery(name, time(params, "from"), time(params, "to"), one(params, "environment"));
        return cached(
                "funnel/" + name,
                params,
                () -> pool.with(s -> s.funnel(q)),
                r -> !r.incomplete() && r.refreshInProgress() == null);
    }

    RetentionResult retention(String name, Map<String, List<String>> params) {
        check(params, RETENTION_PARAMS);
        String mode = one(params, "mode");
        if (mode != null && !mode.equals("on") && !mode.equals("on_or_after"))
            throw new ConfigException("mode", "'" + mode + "' is not one of on, on_or_after");
        RetentionQuery q = new RetentionQuery(
                name, time(params, "from"), time(params, "to"), "on_or_after".equals(mode), one(params, "environment"));
        return cached(
                "retention/" + name,
                params,
                () -> pool.with(s -> s.retention(q)),
                r -> !r.incomplete() && r.refreshInProgress() == null);
    }

    MeasureResult measure(String name, Map<String, List<String>> params) {
        check(params, MEASURE_PARAMS);
        String g = one(params, "granularity");
        if (g == null) throw new ConfigException("granularity", "is required (minute, hour, day, week or month)");
        Granularity granularity = Granularity.parse(g);
        if (granularity == null)
            throw new ConfigException("granularity", "'" + g + "' is not one of minute, hour, day, week, month");
        Instant from = time(params, "from"), to = time(params, "to");
        requireFewBuckets(granularity, from, to);
        MeasureQuery q = new MeasureQuery(name, from, to, granularity, one(params, "environment"));
        return cached(
                "measures/" + name,
                params,
                () -> pool.with(s -> s.measure(q)),
                r -> r.refreshInProgress() == null && isFinal(q.to()));
    }

    StickinessResult stickiness(Map<String, List<String>> params) {
        check(params, STICKINESS_PARAMS);
        String p = one(params, "period");
        Granularity g = p == null ? Granularity.WEEK : Granularity.parse(p);
        if (g != Granularity.WEEK && g != Granularity.MONTH)
            throw new ConfigException("period", "'" + p + "' is not one of week, month");
        StickinessQuery q =
                new StickinessQuery(g, time(params, "from"), time(params, "to"), one(params, "environment"));
        return cached(
                "stickiness",
                params,
                () -> pool.with(s -> s.stickiness(q)),
                r -> !r.incomplete() && r.refreshInProgress() == null);
    }

    /**
     * Refuses a range of more buckets than a chart can show ({@link #MAX_POINTS}): a year of minutes
     * would read half a million rows for a line no screen can draw.
     */
    private void requireFewBuckets(Granularity g, Instant from, Instant to) {
        if (!from.isBefore(to)) return; // the reader says why
        BucketCalendar c = job.calendar();
        long n = c.bucketsBetween(g, c.start(g, from.toEpochMilli()), c.start(g, to.toEpochMilli()));
        if (n > MAX_POINTS)
            throw new QueryException(
                    QueryException.Parameter.GRANULARITY,
                    QueryException.Problem.TOO_MANY_BUCKETS,
                    String.format(
                            Locale.ROOT,
                            "the range holds %,d %s buckets, more than the %,d one answer of the API may hold:"
                                    + " ask for a shorter range or a coarser granularity",
                            n,
                            g.id(),
                            MAX_POINTS));
    }

    /** Whether every bucket starting before {@code to} is closed (the catalogue's finalBefore). */
    private boolean isFinal(Instant to) {
        Instant f = catalog().finalBefore();
        return f != null && !to.isAfter(f);
    }

    @SuppressWarnings("unchecked")
    private <T> T cached(String what, Map<String, List<String>> params, Supplier<T> answer, Predicate<T> isFinal) {
        String key = what + "?" + new TreeMap<>(params);
        Object hit = answers.getIfPresent(key);
        if (hit != null) return (T) hit;
        T r = answer.get();
        if (isFinal.test(r)) answers.put(key, r);
        return r;
    }

    private Instant time(Map<String, List<String>> params, String name) {
        return time(params, name, null);
    }

    /** @param zone the zone local dates are read in; null for the job's */
    private Instant time(Map<String, List<String>> params, String name, ZoneId zone) {
        return Instants.parse(name, one(params, name), zone == null ? job.timezone() : zone);
    }

    private static void check(Map<String, List<String>> params, Set<String> allowed) {
        for (String p : params.keySet()) {
            if (!allowed.contains(p))
                throw new ConfigException(
                        p, "unknown parameter; allowed: " + String.join(", ", new TreeSet<>(allowed)));
        }
    }

    private static String one(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        if (v == null || v.isEmpty() || v.get(0).isBlank()) return null;
        if (v.size() > 1) throw new ConfigException(name, "is given " + v.size() + " times");
        return v.get(0).strip();
    }

    /** A comma-separated list, or the parameter repeated. */
    private static List<String> list(Map<String, List<String>> params, String name) {
        List<String> out = new ArrayList<>();
        for (String v : params.getOrDefault(name, List.of()))
            Arrays.stream(v.split(","))
                    .map(String::strip)
                    .filter(x -> !x.isEmpty())
                    .forEach(out::add);
        return out;
    }
}
