package io.eventagg.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * eventagg as a user runs it: the CLI in a fresh JVM ({@code java -Xmn1g -XX:+UseParallelGC
 * -XX:SharedArchiveFile=target/eventagg-cli.jsa -jar target/eventagg-cli.jar run|backfill …}, as
 * {@code make run} starts it, with the start-up archive {@code make build} trains), into a fresh DuckDB file,
 * timed from spawn to exit (JVM start, class loading, JIT, MiniCluster, schema, the job, the sink's
 * last commit and the JVM's exit all included), with the CPU seconds the kernel accounts to it.
 *
 * <p>{@code cli} is {@code jar} (the built {@code target/eventagg-cli.jar}) or {@code classpath}
 * (the same main class on this JVM's class path, with the jar manifest's {@code Add-Opens}: for
 * the smoke test, which runs before {@code mvn verify} packages the jar).
 */
final class ColdCli {
    /** The JVM flags {@code make run} gives the CLI (the Makefile's {@code JAVA_OPTS}). */
    static final List<String> JAVA_OPTS = List.of("-Xmn1g", "-XX:+UseParallelGC");

    static final Path JAR = Path.of("target/eventagg-cli.jar");

    /** The class-data-sharing archive {@code make build} trains for the jar (the Makefile's {@code CDS_OPTS}). */
    static final Path ARCHIVE = Path.of("target/eventagg-cli.jsa");

    /** The jar manifest's {@code Add-Opens} (pom.xml), for the class-path form. */
    private static final List<String> OPENS = List.of(
            "java.base/java.util",
            "java.base/java.lang",
            "java.base/java.lang.reflect",
            "java.base/java.io",
            "java.base/java.nio",
            "java.base/sun.nio.ch");

    private ColdCli() {}

    /** {@code run --job JOB --input FILES --sink jdbc:duckdb:FRESH --mode MODE --parallelism P}. */
    static Map<String, Object> run(
            String cli, Path job, List<String> files, String mode, int parallelism, Path workDir, PrintStream log)
            throws Exception {
        Path db = freshDb(workDir, "cold-run-" + mode);
        List<String> args = new ArrayList<>(List.of(
                "run",
                "--job",
                job.toString(),
                "--input",
                String.join(",", files),
                "--sink",
                "jdbc:duckdb:" + db,
                "--mode",
                mode,
                "--parallelism",
                Integer.toString(parallelism)));
        return measure(cli, args, db, log);
    }

    /** {@code backfill --job JOB --from FROM --to TO --input FILES --sink jdbc:duckdb:FRESH --parallelism P}. */
    static Map<String, Object> backfill(
            String cli,
            Path job,
            List<String> files,
            Instant from,
            Instant to,
            int parallelism,
            Path workDir,
            PrintStream log)
            throws Exception {
        return backfill(cli, job, files, from, to, null, parallelism, workDir, log);
    }

    /** The same, with {@code --now NOW} when {@code now} is not null (a job with horizons, as of then). */
    static Map<String, Object> backfill(
            String cli,
            Path job,
            List<String> files,
            Instant from,
            Instant to,
            Instant now,
            int parallelism,
            Path workDir,
            PrintStream log)
            throws Exception {
        Path db = freshDb(workDir, "cold-backfill");
        List<String> args = new ArrayList<>(List.of(
                "backfill",
                "--job",
                job.toString(),
                "--from",
                from.toString(),
                "--to",
                to.toString(),
                "--input",
                String.join(",", files),
                "--sink",
                "jdbc:duckdb:" + db,
                "--parallelism",
                Integer.toString(parallelism)));
        if (now != null) args.addAll(List.of("--now", now.toString()));
        return measure(cli, args, db, log);
    }

    static List<String> command(String cli, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JAVA_OPTS);
        switch (cli) {
            case "jar" -> {
                if (!Files.exists(JAR))
                    throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: `make build` builds it");
                if (!Files.exists(ARCHIVE))
                    throw new IllegalStateException(ARCHIVE.toAbsolutePath() + " is missing: `make build` trains it");
                // -Xshare:on: a stale archive fails the run instead of silently measuring without it.
                cmd.addAll(List.of("-Xshare:on", "-XX:SharedArchiveFile=" + ARCHIVE));
                cmd.add("-jar");
                cmd.add(JAR.toString());
            }
            case "classpath" -> {
                for (String o : OPENS) cmd.add("--add-opens=" + o + "=ALL-UNNAMED");
                cmd.add("-cp");
                cmd.add(System.getProperty("java.class.path"));
                cmd.add("io.eventagg.cli.Main");
            }
            default -> throw new IllegalArgumentException("--cli: jar or classpath, not " + cli);
        }
        cmd.addAll(args);
        return cmd;
    }

    private static Map<String, Object> measure(String cli, List<String> args, Path db, PrintStream log)
            throws Exception {
        List<String> cmd = command(cli, args);
        log.println("    $ " + String.join(" ", cmd.subList(0, Math.min(cmd.size(), 4))) + " … "
                + String.join(" ", args));
        TimedProcess.Result p = TimedProcess.run(cmd, null, Map.of(), log, 60);
        if (p.exit() != 0) throw new IOException("the CLI exited with " + p.exit() + ": " + String.join(" ", args));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("command", "eventagg-cli " + String.join(" ", args));
        out.put("read", TimedProcess.counter(p.output(), "records read"));
        out.put("aggregated", TimedProcess.counter(p.output(), "aggregated"));
        out.put("dead", TimedProcess.counter(p.output(), "dead-lettered"));
        long late = TimedProcess.counter(p.output(), "late");
        if (late >= 0) out.put("late", late);
        out.put("rows", TimedProcess.counter(p.output(), "rows written"));
        p.putInto(out);
        // The process's time is what counts for these rows (Bench.seconds).
        out.put("seconds", p.wallSeconds());
        out.put("cpu_seconds", p.cpuSeconds());
        out.put("db_bytes", Files.size(db));
        out.put(
                "db_rows",
                DuckDbPeer.count(
                        "jdbc:duckdb:" + db,
                        "SELECT (SELECT count(*) FROM ea_timeseries) + (SELECT count(*) FROM ea_activity)"));
        if (!Boolean.getBoolean("bench.keepDb")) PipelineBench.deleteDuckDb(db);
        else out.put("db", db.toString());
        return out;
    }

    private static Path freshDb(Path workDir, String name) throws IOException {
        Files.createDirectories(workDir);
        Path db = workDir.resolve(name + ".duckdb").toAbsolutePath();
        PipelineBench.deleteDuckDb(db);
        return db;
    }
}
