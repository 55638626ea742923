package io.eventagg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.jobs.StreamingJob;
import io.eventagg.testing.ClickHouseServer;
import io.eventagg.testing.Tiers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invalid job files and connection settings, table-driven, for both entry points: the local CLI
 * ({@code run}, into DuckDB) and the cluster job ({@link StreamingJob}, into ClickHouse). Each case
 * must exit with status 2, print a message that names the offending field, and write nothing: the
 * DuckDB file is not created, the ClickHouse database stays without tables.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(ClickHouseServer.class)
class BadConfigurationTest {
    static final String VALID_JOB = """
            name: cfg
            granularities: [day]
            breakdowns: [plan]
            """;

    static ClickHouseServer.Database db;

    @TempDir
    static Path dir;

    @BeforeAll
    static void database() throws Exception {
        db = ClickHouseServer.createDatabase("test_badcfg");
    }

    @AfterAll
    static void drop() throws Exception {
        if (db != null) db.close();
    }

    /**
     * One case: a job file (null: the valid one), extra arguments, and the text the message must
     * contain (the field). {@code {dir}} in arguments is replaced by a directory of the case.
     */
    record Case(String name, String jobYaml, List<String> args, String field) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case c(String name, String jobYaml, String field, String... args) {
        return new Case(name, jobYaml, List.of(args), field);
    }

    /** Invalid job files: each names the field (with its path) in the message. */
    static Stream<Case> jobFiles() {
        return Stream.of(
                c("missing name", "granularities: [day]\n", "name"),
                c("name with a space", "name: a b\n", "name"),
                c("name with a quote", "name: \"x'; DROP TABLE t; --\"\n", "name"),
                c("unknown time zone", "name: x\ntimezone: Mars/Olympus_Mons\n", "timezone"),
                c("unknown granularity", "name: x\ngranularities: [fortnight]\n", "granularities[0]"),
                c("no granularity", "name: x\ngranularities: []\n", "granularities"),
                c("granularity twice", "name: x\ngranularities: [day, day]\n", "granularities"),
                c("breakdowns not a list", "name: x\nbreakdowns: plan\n", "breakdowns"),
                c("breakdown limit zero", "name: x\nbreakdown_limit: 0\n", "breakdown_limit"),
                c("breakdown limit text", "name: x\nbreakdown_limit: many\n", "breakdown_limit"),
                c(
                        "lateness not a duration",
                        "name: x\nwatermark: {allowed_lateness: soon}\n",
                        "watermark.allowed_lateness"),
                c("negative duration", "name: x\nwatermark: {out_of_orderness: -5s}\n", "watermark.out_of_orderness"),
                c("emit interval too short", "name: x\nwatermark: {emit_interval: 1ms}\n", "watermark.emit_interval"),
                c("unknown watermark field", "name: x\nwatermark: {lateness: 1h}\n", "lateness"),
                c("record limit too small", "name: x\nlimits: {max_record_bytes: 10}\n", "limits.max_record_bytes"),
                c(
                        "values per bucket below the breakdown limit",
                        "name: x\nbreakdown_limit: 50\nlimits: {breakdown_values_per_bucket: 10}\n",
                        "limits.breakdown_values_per_bucket"),
                c(
                        "min timestamp not an instant",
                        "name: x\nlimits: {min_timestamp: yesterday}\n",
                        "limits.min_timestamp"),
                c("sketch size out of range", "name: x\nsketch: {lg_k: 30}\n", "sketch.lg_k"),
                c("unknown top-level field", "name: x\nwindows: 3\n", "windows"),
                c(
                        "unknown filter operator",
                        "name: x\nfunnels:\n  - name: f\n    conversion_window_seconds: 60\n    steps:\n"
                                + "      - {event: a}\n      - {event: b, filters: [{property: p, operator: eqq, value: 1}]}\n",
                        "funnels[0].steps[1].filters[0].operator"),
                c(
                        "invalid regex",
                        "name: x\nfunnels:\n  - name: f\n    conversion_window_seconds: 60\n    steps:\n"
                                + "      - {event: a, filters: [{property: p, operator: regex, value: \"(\"}]}\n      - {event: b}\n",
                        "funnels[0].steps[0].filters[0]"),
                c(
                        "negative conversion window",
                        "name: x\nfunnels:\n  - name: f\n    conversion_window_seconds: -1\n    steps:\n"
                                + "      - {event: a}\n      - {event: b}\n",
                        "funnels[0].conversion_window_seconds"),
                c(
                        "unknown cohort period",
                        "name: x\nretention:\n  - {name: r, start_event: a, return_event: b, cohort_period: fortnight,"
                                + " periods: 4}\n",
                        "retention[0].cohort_period"),
                c("not YAML", "name: [unclosed\n", "not valid YAML"),
                c("duplicate key", "name: x\nname: y\n", "name"),
                c("empty file", "", "empty"),
                c("a list instead of a mapping", "- name: x\n", "mapping"));
    }

    /** Invalid connection settings (sink profile and flags), for both entry points. */
    static Stream<Case> connections() {
        return Stream.of(
                c("unsupported database", null, "sink.url", "--sink", "jdbc:postgresql://127.0.0.1/x"),
                c("not a JDBC URL", null, "sink.url", "--sink", "clickhouse://127.0.0.1:8123"),
                c(
                        "password variable not set",
                        null,
                        "--sink-password-env",
                        "--sink-password-env",
                        "EVENTAGG_TEST_SURELY_UNSET_1234"),
                c("password file missing", null, "--sink-password-file", "--sink-password-file", "{dir}/missing"),
                c("password file empty", null, "--sink-password-file", "--sink-password-file", "{dir}/empty-password"),
                c(
                        "password from variable and file",
                        null,
                        "--sink-password-env",
                        "--sink-password-env",
                        "PATH",
                        "--sink-password-file",
                        "{dir}/password"),
                c("profile missing", null, "--profile", "--profile", "{dir}/missing.yaml"),
                c("profile with an unknown key", null, "passwd", "--profile", "{dir}/profile-unknown.yaml"),
                c("profile batch size zero", null, "batch_size", "--profile", "{dir}/profile-batch.yaml"),
                c(
                        "profile batch interval not a duration",
                        null,
                        "batch_interval",
                        "--profile",
                        "{dir}/profile-interval.yaml"),
                c("profile negative retries", null, "max_retries", "--profile", "{dir}/profile-retries.yaml"),
                c("profile properties not a mapping", null, "properties", "--profile", "{dir}/profile-properties.yaml"),
                c("profile url unsupported", null, "sink.url", "--profile", "{dir}/profile-url.yaml"),
                c("profile not YAML", null, "--profile", "--profile", "{dir}/profile-broken.yaml"));
    }

    /** Invalid settings of the cluster job only: Kafka and Flink. */
    static Stream<Case> streamingOnly() {
        return Stream.of(
                c("unknown starting offsets", null, "--starting-offsets", "--starting-offsets", "sometimes"),
                c(
                        "starting timestamp not a time",
                        null,
                        "--starting-offsets",
                        "--starting-offsets",
                        "timestamp:yesterday"),
                c("topic and pattern", null, "--topic", "--topic", "events", "--topic-pattern", "events-.*"),
                c("pattern not a regex", null, "--topic-pattern", "--topic-pattern", "("),
                c("stop at earliest", null, "--stop-at", "--stop-at", "earliest"),
                c("empty bootstrap", null, "--kafka-bootstrap", "--kafka-bootstrap", " "),
                c(
                        "kafka properties file missing",
                        null,
                        "--kafka-properties-file",
                        "--kafka-properties-file",
                        "{dir}/missing.properties"),
                c("checkpoint interval not a duration", null, "--checkpoint-interval", "--checkpoint-interval", "soon"),
                c("flink settings file missing", null, "--flink-conf", "--flink-conf", "{dir}/missing-flink.yaml"),
                c("flink settings not a mapping", null, "--flink-conf", "--flink-conf", "{dir}/flink-list.yaml"),
                c(
                        "flink setting with a bad value",
                        null,
                        "execution.checkpointing.interval",
                        "-D",
                        "execution.checkpointing.interval=soon"),
                c("parallelism zero", null, "--parallelism", "--parallelism", "0"));
    }

    static Stream<Case> runCases() {
        return Stream.concat(
                Stream.concat(jobFiles(), connections()),
                Stream.of(
                        c("input missing", null, "--input", "--input", "{dir}/no-such-file.jsonl"),
                        c("parallelism zero", null, "--parallelism", "--parallelism", "0"),
                        c(
                                "batch mode on an unbounded topic",
                                null,
                                "--mode",
                                "--source",
                                "kafka",
                                "--topic",
                                "t",
                                "--mode",
                                "batch")));
    }

    static Stream<Case> streamingCases() {
        return Stream.concat(Stream.concat(jobFiles(), connections()), streamingOnly());
    }

    record Result(int status, String out, String err) {}

    static Result capture(IntSupplier call) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = call.getAsInt();
            return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** The case's files in a directory of its own; returns the arguments with {dir} replaced. */
    static List<String> prepare(Case c, Path caseDir, List<String> base) throws Exception {
        Files.createDirectories(caseDir);
        Files.writeString(caseDir.resolve("job.yaml"), c.jobYaml() == null ? VALID_JOB : c.jobYaml());
        Files.writeString(
                caseDir.resolve("input.jsonl"),
                "{\"event\":\"e\",\"distinct_id\":\"u\",\"timestamp\":\"2024-01-01T00:00:00Z\"}\n");
        Files.writeString(caseDir.resolve("empty-password"), "");
        Files.writeString(caseDir.resolve("password"), "secret-password\n");
        String props = "properties: {clickhouse.jdbc.v1: \"true\"}\n";
        Files.writeString(
                caseDir.resolve("profile-unknown.yaml"),
                "url: jdbc:duckdb:" + caseDir.resolve("p.duckdb") + "\npasswd: x\n");
        Files.writeString(
                caseDir.resolve("profile-batch.yaml"),
                "url: jdbc:duckdb:" + caseDir.resolve("p.duckdb") + "\nbatch_size: 0\n");
        Files.writeString(
                caseDir.resolve("profile-interval.yaml"),
                "url: jdbc:duckdb:" + caseDir.resolve("p.duckdb") + "\nbatch_interval: often\n");
        Files.writeString(
                caseDir.resolve("profile-retries.yaml"),
                "url: jdbc:duckdb:" + caseDir.resolve("p.duckdb") + "\nmax_retries: -1\n");
        Files.writeString(
                caseDir.resolve("profile-properties.yaml"),
                "url: jdbc:duckdb:" + caseDir.resolve("p.duckdb") + "\nproperties: [a, b]\n");
        Files.writeString(caseDir.resolve("profile-url.yaml"), "url: ftp://127.0.0.1/x\n" + props);
        Files.writeString(caseDir.resolve("profile-broken.yaml"), "url: [unclosed\n");
        Files.writeString(caseDir.resolve("flink-list.yaml"), "- a\n- b\n");
        List<String> args = new ArrayList<>(base);
        for (String a : c.args()) args.add(a.replace("{dir}", caseDir.toString()));
        return args;
    }

    static void assertConfigError(Case c, Result r) {
        assertThat(r.status())
                .as(c.name() + ": exit status (stderr: " + r.err() + ")")
                .isEqualTo(2);
        assertThat(r.err()).as(c.name() + ": the message names the field").contains(c.field());
        assertThat(r.err()).as(c.name() + ": one line, no stack trace").doesNotContain("\tat ");
    }

    @Timeout(120)
    @ParameterizedTest(name = "run: {0}")
    @MethodSource("runCases")
    void localRun(Case c) throws Exception {
        Path caseDir = dir.resolve("run-" + Integer.toHexString(c.name().hashCode()));
        Path duck = caseDir.resolve("out.duckdb");
        List<String> base = new ArrayList<>(
                List.of("run", "--job", caseDir.resolve("job.yaml").toString()));
        if (!c.args().contains("--source"))
            base.addAll(List.of("--input", caseDir.resolve("input.jsonl").toString()));
        if (!c.args().contains("--sink") && !c.args().contains("--profile"))
            base.addAll(List.of("--sink", "jdbc:duckdb:" + duck));
        List<String> args = prepare(c, caseDir, base);
        if (args.indexOf("--input") != args.lastIndexOf("--input")) {
            // the case gives its own input: drop the default one
            int i = args.indexOf("--input");
            args.remove(i + 1);
            args.remove(i);
        }
        Result r = capture(() -> Main.execute(args.toArray(String[]::new)));
        assertConfigError(c, r);
        assertThat(duck).as(c.name() + ": nothing written").doesNotExist();
        assertThat(caseDir.resolve("p.duckdb"))
                .as(c.name() + ": nothing written")
                .doesNotExist();
    }

    @Timeout(120)
    @ParameterizedTest(name = "streaming job: {0}")
    @MethodSource("streamingCases")
    void streamingJob(Case c) throws Exception {
        Path caseDir = dir.resolve("stream-" + Integer.toHexString(c.name().hashCode()));
        List<String> base = new ArrayList<>(
                List.of("--job", caseDir.resolve("job.yaml").toString(), "--kafka-bootstrap", "127.0.0.1:1"));
        if (!c.args().contains("--topic") && !c.args().contains("--topic-pattern"))
            base.addAll(List.of("--topic", "events"));
        if (!c.args().contains("--sink") && !c.args().contains("--profile")) {
            base.addAll(List.of("--sink", db.url()));
            ClickHouseServer.driverProperties(db.name())
                    .forEach((k, v) -> base.addAll(List.of("--sink-property", k + "=" + v)));
        }
        List<String> args = prepare(c, caseDir, base);
        if (c.args().contains("--kafka-bootstrap")) {
            int i = args.indexOf("--kafka-bootstrap");
            args.remove(i + 1);
            args.remove(i);
        }
        Result r = capture(() -> StreamingJob.execute(args.toArray(String[]::new)));
        assertConfigError(c, r);
        assertThat(db.count("SELECT count() FROM system.tables WHERE database = '" + db.name() + "'"))
                .as(c.name() + ": no table created")
                .isZero();
        assertThat(caseDir.resolve("p.duckdb"))
                .as(c.name() + ": nothing written")
                .doesNotExist();
    }
}
