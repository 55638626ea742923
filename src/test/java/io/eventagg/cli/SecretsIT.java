package io.eventagg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.generate.EventGenerator;
import io.eventagg.testing.ClickHouseServer;
import io.eventagg.testing.Shell;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets (issue 8, requirement 7) in {@code make test}: the CLI jar (a JVM of its own each time,
 * logging at INFO into a file) writes into ClickHouse as user {@code eventagg} with the password
 * from the default environment variable, from a file and from a profile naming another variable,
 * and reads the results back with {@code query}; a wrong password fails. Then every output and
 * log of these runs (stdout, stderr, the log file, the run's files, the ClickHouse server's logs)
 * is scanned for both passwords. {@code make chaos} does the same on the cluster with a password
 * file, {@code StreamingJobIT} with a password variable through {@code make submit}.
 */
@ExtendWith(ClickHouseServer.class)
class SecretsIT {
    /** The local server's `eventagg` user (scripts/clickhouse.sh stores only its SHA-256). */
    static final String PASSWORD = "eventagg-local-7c1e";

    static final String WRONG = "wrong-pw-" + Long.toHexString(System.nanoTime());

    @TempDir
    Path dir;

    final List<Shell.Result> outputs = new ArrayList<>();

    @Test
    void thePasswordIsInNoOutputAndNoLog() throws Exception {
        Path root = ClickHouseServer.projectRoot();
        Path jar = root.resolve("target/eventagg-cli.jar");
        assertThat(jar)
                .as("the CLI jar (the package phase builds it before the integration tests)")
                .exists();
        try (ClickHouseServer.Database db = ClickHouseServer.createDatabase("secrets")) {
            Path input = dir.resolve("events.jsonl");
            new EventGenerator(300, 3, 5, Instant.parse("2024-03-04T00:00:00Z"), 0.01).write(input);
            Path passwordFile = dir.resolve("password");
            Files.writeString(passwordFile, PASSWORD + "\n");
            Path log4j = dir.resolve("log4j2.properties");
            Files.writeString(log4j, """
                    appender.file.type = File
                    appender.file.name = file
                    appender.file.fileName = %s
                    appender.file.layout.type = PatternLayout
                    appender.file.layout.pattern = %%d %%-5p %%c - %%m%%n
                    rootLogger.level = info
                    rootLogger.appenderRef.file.ref = file
                    """.formatted(dir.resolve("logs/cli.log")));
            Path profile = dir.resolve("profile.yaml");
            StringBuilder p = new StringBuilder(
                    "url: " + db.url() + "\nuser: eventagg\npassword_env: EVENTAGG_TEST_DB_SECRET\nproperties:\n");
            ClickHouseServer.driverProperties(db.name())
                    .forEach((k, v) ->
                            p.append("  ").append(k).append(": \"").append(v).append("\"\n"));
            Files.writeString(profile, p.toString());

            List<String> sink = new ArrayList<>(List.of("--sink", db.url(), "--sink-user", "eventagg"));
            ClickHouseServer.driverProperties(db.name())
                    .forEach((k, v) -> sink.addAll(List.of("--sink-property", k + "=" + v)));
            List<String> run = List.of("run", "--job", "jobs/example.yaml", "--input", input.toString());

            // The password from EVENTAGG_SINK_PASSWORD (the default variable), from a file, from the
            // variable a profile names: each run writes (the same rows again: upserts).
            cli(root, jar, "run-env", Map.of("EVENTAGG_SINK_PASSWORD", PASSWORD), concat(run, sink))
                    .requireSuccess();
            cli(
                            root,
                            jar,
                            "run-file",
                            Map.of(),
                            concat(run, sink, List.of("--sink-password-file", passwordFile.toString())))
                    .requireSuccess();
            cli(
                            root,
                            jar,
                            "run-profile",
                            Map.of("EVENTAGG_TEST_DB_SECRET", PASSWORD),
                            concat(run, List.of("--profile", profile.toString())))
                    .requireSuccess();
            assertThat(db.count("SELECT count() FROM ea_timeseries"))
                    .as("rows written as eventagg")
                    .isPositive();
            Shell.Result query = cli(
                            root,
                            jar,
                            "query-file",
                            Map.of(),
                            concat(
                                    List.of(
                                            "query",
                                            "timeseries",
                                            "--job",
                                            "jobs/example.yaml",
                                            "--from",
                                            "2024-03-04",
                                            "--to",
                                            "2024-03-07",
                                            "--granularity",
                                            "day",
                                            "--format",
                                            "csv",
                                            "--sink-password-file",
                                            passwordFile.toString()),
                                    sink))
                    .requireSuccess();
            assertThat(query.stdout().lines().count()).as("query answers").isGreaterThan(1);

            // A wrong password fails, naming the problem but not the password.
            Shell.Result wrong =
                    cli(root, jar, "run-wrong", Map.of("EVENTAGG_SINK_PASSWORD", WRONG), concat(run, sink));
            assertThat(wrong.exitCode()).as("a run with a wrong password").isNotZero();
        }

        // Every file of the runs (except the password file itself) and every output.
        List<Path> files = new ArrayList<>();
        Path serverLogs = root.resolve(".run/clickhouse/log"); // absent when the server was started elsewhere
        try (Stream<Path> s = Stream.concat(
                Files.walk(dir), Files.isDirectory(serverLogs) ? Files.walk(serverLogs) : Stream.empty())) {
            s.filter(Files::isRegularFile)
                    .filter(f -> !f.equals(dir.resolve("password")))
                    .forEach(files::add);
        }
        assertThat(files).contains(dir.resolve("logs/cli.log"));
        for (Path f : files) {
            String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            assertThat(text).as("a password in " + f).doesNotContain(PASSWORD).doesNotContain(WRONG);
        }
        for (Shell.Result r : outputs) {
            assertThat(r.stdout() + r.stderr())
                    .as("a password in the output of " + r.command())
                    .doesNotContain(PASSWORD)
                    .doesNotContain(WRONG);
        }
    }

    Shell.Result cli(Path root, Path jar, String name, Map<String, String> env, List<String> args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"),
                "-Duser.timezone=UTC",
                "-jar",
                jar.toString()));
        cmd.addAll(args);
        Shell.Result r = Shell.run(root, env, Duration.ofMinutes(3), dir.resolve("logs"), name, cmd);
        outputs.add(r);
        return r;
    }

    @SafeVarargs
    static List<String> concat(List<String>... parts) {
        List<String> out = new ArrayList<>();
        for (List<String> p : parts) out.addAll(p);
        return out;
    }
}
