package io.eventagg.bench;

import io.eventagg.config.JobDefinition;
import io.eventagg.refresh.Backfill;
import io.eventagg.refresh.FilesBackfillSource;
import io.eventagg.refresh.RefreshRange;
import io.eventagg.runtime.FlinkSettings;
import io.eventagg.serve.ApiServer;
import io.eventagg.serve.ServeSettings;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import io.eventagg.testing.ClickHouseServer;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The read path as a dashboard uses it: the full job's results of the dataset (a backfill into
 * DuckDB, or into ClickHouse), served by {@code eventagg serve}, and per endpoint the latency of
 * answers read from the database (cache off) and from memory (cache on), then a bounded load run:
 * {@code clients} concurrent clients on the loopback for {@code seconds}, each asking the endpoints
 * in turn over random ranges of the data, with the cache on as in production.
 */
public final class ServeBench {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ServeBench() {}

    /** One question of a dashboard: its label and its path, for a range starting at day {@code d}. */
    record Question(String label, java.util.function.BiFunction<Instant, Integer, String> path) {}

    static List<Question> questions() {
        return List.of(
                new Question("catalog", (start, d) -> "/api/v1/catalog"),
                new Question(
                        "trend, all events, 30 days by day",
                        (start, d) -> "/api/v1/timeseries?granularity=day" + range(start, d, 30)),
                new Question(
                        "trend, pageview by plan, 7 days by hour",
                        (start, d) -> "/api/v1/timeseries?granularity=hour&events=pageview&breakdown=plan"
                                + range(start, d, 7)),
                new Question(
                        "trend, signup, 1 day by minute",
                        (start, d) -> "/api/v1/timeseries?granularity=minute&events=signup" + range(start, d, 1)),
                new Question(
                        "funnel, 30 days",
                        (start, d) -> "/api/v1/funnels/pricing_to_purchase?"
                                + range(start, d, 30).substring(1)),
                new Question(
                        "retention, 30 days",
                        (start, d) -> "/api/v1/retention/weekly_signup_retention?"
                                + range(start, d, 30).substring(1)));
    }

    static String range(Instant start, int day, int days) {
        Instant from = start.plus(day, ChronoUnit.DAYS);
        return "&from=" + from + "&to=" + from.plus(days, ChronoUnit.DAYS);
    }

    public static Map<String, Object> run(
            JobDefinition job,
            List<String> files,
            Instant from,
            Instant to,
            String database,
            int requests,
            int clients,
            int seconds,
            int parallelism,
            Path work,
            PrintStream log)
            throws Exception {
        Files.createDirectories(work);
        Map<String, Object> out = new LinkedHashMap<>();
        ClickHouseServer.Database ch = null;
        SinkSettings sink;
        if (database.equals("clickhouse")) {
            ClickHouseServer.ensureUp();
            ch = ClickHouseServer.createDatabase("eventagg_serve");
            sink = ch.settings();
        } else {
            Path db = work.resolve("serve-bench.duckdb");
            PipelineBench.deleteDuckDb(db);
            sink = SinkSettings.of("jdbc:duckdb:" + db);
        }
        try {
            SchemaManager.apply(sink);
            long t0 = System.nanoTime();
            Backfill.Summary s = Backfill.run(
                    FlinkSettings.local(false, parallelism),
                    job,
                    new RefreshRange(job, from, to),
                    new FilesBackfillSource(files),
                    sink,
                    log);
            out.put("database", database);
            out.put("events", s.aggregated());
            out.put("rows", s.rowsWritten());
            out.put("backfill_seconds", (System.nanoTime() - t0) / 1e9);
            int days = (int) ChronoUnit.DAYS.between(from, to);
            int lastStart = Math.max(0, days - 30);
            Map<String, Object> endpoints = new LinkedHashMap<>();
            for (boolean cached : new boolean[] {false, true}) {
                try (ApiServer server = ApiServer.start(
                        new ServeSettings(
                                job, "127.0.0.1", 0, null, 4, cached ? Duration.ofMinutes(10) : Duration.ZERO),
                        sink,
                        Clock.systemUTC())) {
                    String base = "http://127.0.0.1:" + server.port();
                    for (Question q : questions()) {
                        // The same question again and again: a dashboard reloaded; the first answer
                        // (reading the database even with the cache on) is not counted.
                        String path = q.path().apply(from, lastStart / 2);
                        get(base + path);
                        double[] ms = new double[requests];
                        for (int i = 0; i < requests; i++) {
                            long t = System.nanoTime();
                            get(base + path);
                            ms[i] = (System.nanoTime() - t) / 1e6;
                        }
                        @SuppressWarnings("unchecked")
                        Map<String, Object> e = (Map<String, Object>)
                                endpoints.computeIfAbsent(q.label(), k -> new LinkedHashMap<String, Object>());
                        String k = cached ? "cached" : "database";
                        e.put(k + "_p50_ms", percentile(ms, 0.50));
                        e.put(k + "_p99_ms", percentile(ms, 0.99));
                    }
                }
            }
            out.put("endpoints", endpoints);
            out.put("load", load(job, sink, from, lastStart, clients, seconds));
        } finally {
            if (ch != null) ch.close();
        }
        return out;
    }

    /** {@code clients} threads asking the questions in turn over random ranges, for {@code seconds}. */
    static Map<String, Object> load(
            JobDefinition job, SinkSettings sink, Instant start, int lastStart, int clients, int seconds)
            throws Exception {
        List<Question> qs = questions();
        AtomicLong errors = new AtomicLong();
        try (ApiServer server = ApiServer.start(
                new ServeSettings(job, "127.0.0.1", 0, null, 4, Duration.ofMinutes(1)), sink, Clock.systemUTC())) {
            String base = "http://127.0.0.1:" + server.port();
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<List<Double>>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int seed = c;
                futures.add(pool.submit(() -> {
                    SplittableRandom r = new SplittableRandom(seed);
                    List<Double> ms = new ArrayList<>();
                    int i = seed;
                    while (System.nanoTime() < end) {
                        Question q = qs.get(i++ % qs.size());
                        String path = q.path().apply(start, r.nextInt(lastStart + 1));
                        long t = System.nanoTime();
                        try {
                            if (get(base + path) != 200) errors.incrementAndGet();
                        } catch (Exception e) {
                            errors.incrementAndGet();
                        }
                        ms.add((System.nanoTime() - t) / 1e6);
                    }
                    return ms;
                }));
            }
            List<Double> all = new ArrayList<>();
            for (Future<List<Double>> f : futures) all.addAll(f.get());
            pool.shutdown();
            double[] ms = all.stream().mapToDouble(Double::doubleValue).toArray();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("clients", clients);
            out.put("seconds", seconds);
            out.put("requests", ms.length);
            out.put("errors", errors.get());
            out.put("requests_per_s", ms.length / (double) seconds);
            out.put("p50_ms", percentile(ms, 0.50));
            out.put("p99_ms", percentile(ms, 0.99));
            out.put("max_ms", percentile(ms, 1.0));
            return out;
        }
    }

    static int get(String url) throws Exception {
        HttpResponse<Void> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(60))
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() != 200) throw new IllegalStateException(url + " answered " + r.statusCode());
        return r.statusCode();
    }

    static double percentile(double[] values, double p) {
        if (values.length == 0) return Double.NaN;
        double[] v = values.clone();
        Arrays.sort(v);
        int i = (int) Math.ceil(p * v.length) - 1;
        return v[Math.max(0, Math.min(v.length - 1, i))];
    }
}
