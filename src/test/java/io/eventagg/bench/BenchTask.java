package io.eventagg.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One measurement, run in a JVM of its own by {@link Bench} (so that each starts cold, has its own
 * heap and its own peak RSS): {@code BenchTask TASK key=value...}. Prints one line
 * {@code @@RESULT {json}} with the measurements plus {@code peak_rss_bytes} (VmHWM).
 */
public final class BenchTask {
    static final String RESULT = "@@RESULT ";
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (String arg : Arrays.asList(args).subList(1, args.length)) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Map<String, Object> r = run(args[0], a);
        r.put("peak_rss_bytes", peakRss());
        r.put("cpu_seconds", cpuSeconds());
        System.out.println(RESULT + JSON.writeValueAsString(r));
        System.out.flush();
        // MiniCluster and driver threads may linger; the measurement is done. Exit (shutdown hooks
        // run, e.g. a flight recording is written), or halt if the hooks hang.
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
            Runtime.getRuntime().halt(0);
        });
        watchdog.setDaemon(true);
        watchdog.start();
        System.exit(0);
    }

    /** Runs a task in this JVM (also used in-process by the smoke test). */
    public static Map<String, Object> run(String task, Map<String, String> a) throws Exception {
        Path work = Path.of(a.getOrDefault("work", "target/bench-work"));
        List<String> files = a.containsKey("files") ? List.of(a.get("files").split(",")) : List.of();
        int parallelism = Integer.parseInt(a.getOrDefault("parallelism", "2"));
        return switch (task) {
            case "ceiling" -> Ceiling.run(job(a), files, Long.parseLong(a.getOrDefault("warmup", "500000")));
            case "pipeline" ->
                warm(
                        a,
                        () -> PipelineBench.run(
                                job(a),
                                files,
                                a.get("mode").equals("streaming"),
                                PipelineBench.Sink.valueOf(a.get("sink")),
                                parallelism,
                                work));
            case "floor" ->
                warm(a, () -> PipelineBench.floor(job(a), files, a.get("mode").equals("streaming"), parallelism));
            case "backfill" ->
                warm(
                        a,
                        () -> PipelineBench.backfill(
                                job(a),
                                files,
                                Instant.parse(a.get("from")),
                                Instant.parse(a.get("to")),
                                a.containsKey("now")
                                        ? Instant.parse(a.get("now")).toEpochMilli()
                                        : 0,
                                parallelism,
                                work,
                                System.out));
            case "duckdb" -> DuckDbPeer.run(files, work);
            case "latency" ->
                LatencyBench.run(
                        job(a),
                        files,
                        Integer.parseInt(a.getOrDefault("rate", "50000")),
                        Integer.parseInt(a.getOrDefault("seconds", "90")),
                        Integer.parseInt(a.getOrDefault("warmup", "20")),
                        parallelism,
                        work);
            case "capacity" ->
                LatencyBench.capacity(
                        job(a), files, Long.parseLong(a.getOrDefault("events", "2000000")), parallelism, work);
            case "state" -> StateBench.run(job(a), files, parallelism, work);
            case "bigstate" ->
                BigStateBench.run(
                        job(a),
                        List.of(a.get("month1").split(",")),
                        List.of(a.get("month2").split(",")),
                        a.get("backend"),
                        parallelism,
                        work,
                        Long.parseLong(a.get("users")),
                        java.time.Duration.ofSeconds(Long.parseLong(a.getOrDefault("interval", "30"))),
                        org.apache.flink.configuration.MemorySize.parse(a.getOrDefault("managed", "256m")),
                        Boolean.parseBoolean(a.getOrDefault("analyse", "true")));
            case "clickhouse" -> ClickHousePeer.run(job(a), files, Integer.parseInt(a.getOrDefault("loaders", "2")));
            case "chdb" ->
                ChdbPeer.run(
                        files,
                        a.getOrDefault("uniq", "uniqCombined64"),
                        a.getOrDefault("mode", "groupby"),
                        work,
                        Integer.parseInt(a.getOrDefault("threads", "2")),
                        System.out);
            case "serve" ->
                ServeBench.run(
                        job(a),
                        files,
                        Instant.parse(a.get("from")),
                        Instant.parse(a.get("to")),
                        a.get("database"),
                        Integer.parseInt(a.getOrDefault("requests", "50")),
                        Integer.parseInt(a.getOrDefault("clients", "50")),
                        Integer.parseInt(a.getOrDefault("seconds", "30")),
                        parallelism,
                        work,
                        System.out);
            case "writefloor" ->
                WriteFloor.run(
                        job(a), files, Instant.parse(a.get("from")), Instant.parse(a.get("to")), parallelism, work);
            default -> throw new IllegalArgumentException("unknown task " + task);
        };
    }

    /** A measurement that can run again in the same JVM. */
    interface Measurement {
        Map<String, Object> run() throws Exception;
    }

    /**
     * Runs a pipeline measurement {@code runs} times in this JVM (default 1) and returns the last,
     * with the first run's times as {@code cold_seconds} / {@code cold_job_seconds}: the first pays
     * for class loading and the JIT compiling Flink and eventagg (a fifth to a third of a 5M-event
     * run's CPU on two cores), later ones run warm, as in a long-lived TaskManager and as the
     * ceiling (which warms up before it measures).
     */
    static Map<String, Object> warm(Map<String, String> a, Measurement m) throws Exception {
        int runs = Integer.parseInt(a.getOrDefault("runs", "1"));
        Map<String, Object> first = null;
        Map<String, Object> last = null;
        for (int i = 0; i < runs; i++) {
            last = m.run();
            if (first == null) first = last;
        }
        if (runs > 1) {
            last.put("cold_seconds", first.get("seconds"));
            last.put("cold_job_seconds", first.getOrDefault("job_seconds", first.get("seconds")));
        }
        return last;
    }

    static JobDefinition job(Map<String, String> a) {
        String j = a.get("job");
        if (j.startsWith("classpath:")) {
            try (var in = BenchTask.class.getClassLoader().getResourceAsStream(j.substring("classpath:".length()))) {
                if (in == null) throw new IllegalArgumentException("no resource " + j);
                return JobLoader.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return JobLoader.load(Path.of(j));
    }

    /** CPU time (user + system, all threads) this JVM has used so far, in seconds. */
    static double cpuSeconds() {
        return ProcessHandle.current()
                .info()
                .totalCpuDuration()
                .map(d -> d.toNanos() / 1e9)
                .orElse(-1.0);
    }

    /** The peak resident set size of this process so far (Linux VmHWM), or -1. */
    static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return -1;
    }
}
