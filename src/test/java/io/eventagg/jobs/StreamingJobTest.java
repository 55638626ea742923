package io.eventagg.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventagg.config.ConfigException;
import io.eventagg.ingest.KafkaSettings;
import io.eventagg.testing.ClickHouseServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The streaming job's configuration: flags, Flink settings, Kafka positions, secrets kept out of the output. */
class StreamingJobTest {
    @TempDir
    Path dir;

    static StreamingJob parse(String... args) {
        StreamingJob job = new StreamingJob();
        new CommandLine(job).parseArgs(args);
        return job;
    }

    @Test
    void flinkSettingsComeFromTheConfFileThenFlags() {
        Path conf = ClickHouseServer.projectRoot().resolve("conf/job/streaming.yaml");
        Configuration c = parse("--job", "x.yaml", "--topic", "t", "--flink-conf", conf.toString())
                .flinkConfiguration();
        assertThat(c.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
        assertThat(c.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS))
                .isEqualTo(20);

        c = parse(
                        "--job",
                        "x.yaml",
                        "--topic",
                        "t",
                        "--flink-conf",
                        conf.toString(),
                        "--checkpoint-interval",
                        "5s",
                        "-D",
                        "restart-strategy.type=fixed-delay")
                .flinkConfiguration();
        assertThat(c.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("fixed-delay");
    }

    @Test
    void kafkaOptions() throws Exception {
        StreamingJob job = parse(
                "--job",
                "x.yaml",
                "--topic",
                "a,b",
                "--topic",
                "c",
                "--starting-offsets",
                "timestamp:2024-01-15T00:00:00Z",
                "--stop-at",
                "latest",
                "--kafka-property",
                "security.protocol=SASL_SSL");
        KafkaSettings k = job.kafka.resolve("myjob");
        assertThat(k.topics()).containsExactly("a", "b", "c");
        assertThat(k.groupId()).isEqualTo("eventagg-myjob");
        assertThat(k.bootstrapServers()).isEqualTo("127.0.0.1:19092");
        assertThat(k.startingOffsets())
                .isEqualTo(new KafkaSettings.Position(
                        KafkaSettings.Kind.TIMESTAMP,
                        Instant.parse("2024-01-15T00:00:00Z").toEpochMilli()));
        assertThat(k.bounded()).isTrue();
        assertThat(k.properties()).containsEntry("security.protocol", "SASL_SSL");

        Path props = dir.resolve("kafka.properties");
        Files.writeString(
                props,
                "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"kafka-secret-42\";\n"
                        + "security.protocol=SASL_PLAINTEXT\n");
        k = parse(
                        "--job",
                        "x.yaml",
                        "--topic-pattern",
                        "events-.*",
                        "--kafka-properties-file",
                        props.toString(),
                        "--kafka-property",
                        "security.protocol=SASL_SSL",
                        "--starting-offsets",
                        "timestamp:1700000000000")
                .kafka
                .resolve("j");
        assertThat(k.properties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsKey("sasl.jaas.config");
        assertThat(k.toString()).doesNotContain("kafka-secret-42").contains("sasl.jaas.config=****");
    }

    @Test
    void kafkaOptionErrorsNameTheFlag() {
        assertThatThrownBy(() -> parse("--job", "x.yaml").kafka.resolve("j"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--topic");
        assertThatThrownBy(() -> parse("--job", "x.yaml", "--topic", "a", "--topic-pattern", "b")
                        .kafka
                        .resolve("j"))
                .hasMessageStartingWith("--topic");
        assertThatThrownBy(() -> parse("--job", "x.yaml", "--topic", "a", "--starting-offsets", "yesterday")
                        .kafka
                        .resolve("j"))
                .hasMessageStartingWith("--starting-offsets");
        assertThatThrownBy(() -> parse("--job", "x.yaml", "--topic", "a", "--stop-at", "earliest")
                        .kafka
                        .resolve("j"))
                .hasMessageStartingWith("--stop-at");
        assertThatThrownBy(() ->
                        parse("--job", "x.yaml", "--topic-pattern", "(").kafka.resolve("j"))
                .hasMessageStartingWith("--topic-pattern");
    }

    @Test
    void aFailingStartShowsTheProblemButNeverThePassword() throws Exception {
        String secret = "pw-" + System.nanoTime();
        Path pw = dir.resolve("password");
        Files.writeString(pw, secret + "\n");
        Path job = dir.resolve("job.yaml");
        Files.writeString(job, "name: leak_check\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out, oldErr = System.err;
        int rc;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            rc = StreamingJob.execute(
                    "--job",
                    job.toString(),
                    "--topic",
                    "events",
                    "--sink",
                    "jdbc:clickhouse://eventagg:" + secret + "@127.0.0.1:1/db?password=" + secret,
                    "--sink-user",
                    "eventagg",
                    "--sink-password-file",
                    pw.toString(),
                    "--sink-property",
                    "clickhouse.jdbc.v1=true");
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        String all = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertThat(rc).isEqualTo(1);
        assertThat(all)
                .contains("cannot connect to jdbc:clickhouse://eventagg:****@127.0.0.1:1/db?password=****")
                .doesNotContain(secret);
    }

    @Test
    void configurationErrorsExitWithStatus2() throws Exception {
        assertThat(StreamingJob.execute("--topic", "t")).isEqualTo(2); // --job missing
        assertThat(StreamingJob.execute("--job", dir.resolve("missing.yaml").toString(), "--topic", "t"))
                .isEqualTo(2);
    }
}
