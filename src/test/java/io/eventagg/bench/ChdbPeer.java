package io.eventagg.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The chDB peer: current ClickHouse (26.x) in-process, through the npm package {@code chdb}
 * (pinned in {@code infra/chdb/package.json}, installed into {@code .bench/chdb} by {@code make
 * chdb}), driven by {@code scripts/chdb-peer.js} in a Node process of its own over the same files:
 *
 * <ul>
 *   <li>{@code groupby}: the events into a MergeTree table, then per granularity the time series'
 *       rollups as tables ({@code CREATE TABLE … AS SELECT … GROUP BY}), unique users and sessions
 *       with {@code uniqCombined64} (HyperLogLog, as eventagg's sketches) or {@code uniqExact};
 *   <li>{@code mv}: a raw table with 25 materialized views of the same rollups, loaded by one
 *       {@code INSERT … SELECT} from the files (as {@link ClickHousePeer#rollupViews()}).
 * </ul>
 *
 * Measured as a user's process: Node's spawn to exit (Node's start, loading the 500 MB library,
 * the work, the exit), and its CPU seconds; the script reports its own split (start-up, load,
 * aggregation) and the counts.
 */
public final class ChdbPeer {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path SCRIPT = Path.of("scripts/chdb-peer.js");
    static final Path INSTALL = Path.of(".bench/chdb");

    private ChdbPeer() {}

    public static Map<String, Object> run(
            List<String> files, String uniq, String mode, Path workDir, int threads, PrintStream log) throws Exception {
        return run(files, uniq, mode, null, workDir, threads, log);
    }

    /**
     * @param minuteKeptFrom with a minute horizon: minute rollups only of the events since (the
     *     start of the oldest minute kept, as eventagg's job computes it); null: all minutes
     */
    public static Map<String, Object> run(
            List<String> files,
            String uniq,
            String mode,
            Instant minuteKeptFrom,
            Path workDir,
            int threads,
            PrintStream log)
            throws Exception {
        ensureInstalled(log);
        Files.createDirectories(workDir);
        Path session = workDir.resolve("chdb-" + mode + "-" + uniq).toAbsolutePath();
        deleteTree(session);
        List<String> cmd = new ArrayList<>(List.of(
                "node",
                SCRIPT.toString(),
                "--files",
                String.join(
                        ",",
                        files.stream()
                                .map(f -> Path.of(f).toAbsolutePath().toString())
                                .toList()),
                "--uniq",
                uniq,
                "--mode",
                mode,
                "--session",
                session.toString(),
                "--threads",
                Integer.toString(threads)));
        if (minuteKeptFrom != null) cmd.addAll(List.of("--kept-from", "minute=" + minuteKeptFrom));
        log.println("    $ " + String.join(" ", cmd));
        TimedProcess.Result p;
        try {
            p = TimedProcess.run(
                    cmd,
                    null,
                    Map.of(
                            "NODE_PATH",
                            INSTALL.resolve("node_modules").toAbsolutePath().toString()),
                    log,
                    60);
        } finally {
            deleteTree(session);
        }
        if (p.exit() != 0) throw new IOException("chdb-peer.js exited with " + p.exit());
        Map<String, Object> out = null;
        for (String line : p.output()) {
            if (line.startsWith("{")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = JSON.readValue(line, Map.class);
                out = m;
            }
        }
        if (out == null) throw new IOException("chdb-peer.js printed no result");
        Map<String, Object> r = new LinkedHashMap<>(out);
        // The script's own CPU figure (process.cpuUsage) beside the kernel's for the whole process.
        r.put("node_cpu_seconds", out.get("cpu_seconds"));
        r.put("node_peak_rss_bytes", out.get("peak_rss_bytes"));
        r.remove("peak_rss_bytes");
        p.putInto(r);
        r.put("cpu_seconds", p.cpuSeconds());
        return r;
    }

    /** {@code make chdb} (idempotent: a no-op once the pinned version is installed from the same lock). */
    static synchronized void ensureInstalled(PrintStream log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("make", "--no-print-directory", "chdb")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("make chdb did not finish within 10 minutes");
        }
        if (p.exitValue() != 0) throw new IOException("make chdb failed (exit " + p.exitValue() + "):\n" + out);
        if (!out.contains("already in")) log.print(out);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(s.sorted(Comparator.reverseOrder()).toList());
            for (Path x : all) Files.deleteIfExists(x);
        }
    }
}
