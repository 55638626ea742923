package io.eventagg.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.config.RunOptions;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.pipeline.JdbcOutputs;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import io.eventagg.testing.ClickHouseServer;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.QuerySnapshot;
import io.eventagg.testing.Shell;
import io.eventagg.testing.TestJobs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The refresh job on the local Flink cluster as a user runs it: {@code make backfill} submits
 * {@code io.eventagg.jobs.BackfillJob} from the job jar, attached, reading files and writing the
 * real ClickHouse; the answers equal a batch run of the same events.
 */
class BackfillJobIT {
    static final String PASSWORD = StreamingJobIT.PASSWORD;
    static final String PASSWORD_ENV = "EVENTAGG_BACKFILL_IT_PASSWORD";
    static Path root;
    static Path work;
    static final List<String> started = new ArrayList<>();
    static ClickHouseServer.Database db;

    @BeforeAll
    static void services() throws Exception {
        root = ClickHouseServer.projectRoot();
        work = root.resolve("target/e2e-backfill");
        Files.createDirectories(work);
        for (String service : List.of("clickhouse", "cluster")) {
            boolean running =
                    sh("status-" + service, Duration.ofSeconds(60), "bash", StreamingJobIT.script(service), "status")
                                    .exitCode()
                            == 0;
            if (!running) {
                make(service + "-up", Duration.ofMinutes(10), service + "-up").requireSuccess();
                started.add(service);
            }
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (db != null) db.close();
        for (int i = started.size() - 1; i >= 0; i--)
            make(started.get(i) + "-down", Duration.ofSeconds(120), started.get(i) + "-down");
    }

    @Test
    void makeBackfillOnTheClusterEqualsABatchRun() throws Exception {
        Path data = work.resolve("events.jsonl.gz");
        sh(
                        "generate",
                        Duration.ofMinutes(2),
                        "java",
                        "-jar",
                        "target/eventagg-cli.jar",
                        "generate",
                        "--users",
                        "1500",
                        "--days",
                        "8",
                        "--seed",
                        "8",
                        "--start",
                        "2024-05-27T00:00:00Z",
                        "--out",
                        data.toString())
                .requireSuccess();
        Path jobFile = work.resolve("backfill-job.yaml");
        String yaml = """
                name: backfill_it
                timezone: Europe/Berlin
                granularities: [minute, hour, day, week, month]
                breakdowns: [plan, country]
                breakdown_limit: 5
                """ + TestJobs.FUNNELS + TestJobs.RETENTION;
        Files.writeString(jobFile, yaml);
        JobDefinition job = JobLoader.parse(yaml);

        db = ClickHouseServer.createDatabase("test_backfill");
        Shell.Result r = make(
                "backfill",
                Duration.ofMinutes(8),
                Map.of(PASSWORD_ENV, PASSWORD),
                "-o",
                "target/eventagg-job.jar",
                "backfill",
                "JOB=" + jobFile,
                "FROM=2024-05-26",
                "TO=2024-06-05",
                "INPUT_BACKFILL=" + data,
                "SINK_URL=" + db.url(),
                "SINK_USER=eventagg",
                "SINK_PASSWORD_ENV=" + PASSWORD_ENV,
                "JOB_ARGS=--sink-property custom_http_params=default_format=TabSeparatedWithNamesAndTypes,database="
                        + db.name());
        r.requireSuccess();
        assertThat(r.stdout() + r.stderr())
                .contains("refresh generation 1 done")
                .doesNotContain(PASSWORD);

        SinkSettings reference =
                SinkSettings.of("jdbc:duckdb:" + work.resolve("reference-" + System.nanoTime() + ".duckdb"));
        SchemaManager.apply(reference);
        Pipelines.run(
                job,
                List.of(data),
                RunOptions.batchDefaults(),
                IngestWatermarks.strategy(job.watermark()),
                new JdbcOutputs(job.name(), reference),
                2);
        Instant from = Instant.parse("2024-05-26T00:00:00Z"), to = Instant.parse("2024-06-05T00:00:00Z");
        Map<String, String> expected = QuerySnapshot.of(job, reference, from, to);
        Map<String, String> actual = QuerySnapshot.of(job, db.settings(), from, to);
        for (String k : expected.keySet()) assertThat(actual.get(k)).as(k).isEqualTo(expected.get(k));
    }

    static Shell.Result make(String name, Duration timeout, String... args) throws Exception {
        return make(name, timeout, Map.of(), args);
    }

    static Shell.Result make(String name, Duration timeout, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("make", "--no-print-directory"));
        cmd.addAll(List.of(args));
        return Shell.run(root, env, timeout, work, "make-" + name, cmd);
    }

    static Shell.Result sh(String name, Duration timeout, String... cmd) throws Exception {
        return Shell.run(root, Map.of(), timeout, work, name, List.of(cmd));
    }
}
