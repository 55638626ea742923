package io.eventagg.ingest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where events are read from Kafka: brokers, topics, consumer group, start and (optionally) stop
 * positions, and consumer properties passed through as they are (security: SASL/SSL). Secrets
 * belong in {@code --kafka-properties-file}, not on the command line. The CLI's flags only; the
 * rules are {@link KafkaSettings.Flags}'s.
 */
public final class KafkaOptions {
    @Option(
            names = "--kafka-bootstrap",
            paramLabel = "HOST:PORT[,...]",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}, the local broker of `make kafka-up`)",
            defaultValue = KafkaSettings.LOCAL_BOOTSTRAP)
    String bootstrap;

    @Option(
            names = {"--topic", "--topics"},
            split = ",",
            paramLabel = "TOPIC",
            description =
                    "Topic(s) to read (repeatable or comma-separated; default: none, give this or --topic-pattern)")
    List<String> topics = new ArrayList<>();

    @Option(
            names = "--topic-pattern",
            paramLabel = "REGEX",
            description = "Read every topic whose name matches (instead of --topic; default: none)")
    String topicPattern;

    @Option(
            names = "--group-id",
            paramLabel = "ID",
            description = "Consumer group (default: eventagg-<job name>); offsets are committed there on checkpoints")
    String groupId;

    @Option(
            names = "--starting-offsets",
            paramLabel = "POSITION",
            defaultValue = "committed",
            description =
                    "Where a job without state starts: committed (partitions without a committed offset start at the earliest,"
                            + " or as auto.offset.reset says), earliest, latest, or timestamp:<ISO instant or epoch ms> (default: ${DEFAULT-VALUE})")
    String startingOffsets;

    @Option(
            names = "--stop-at",
            paramLabel = "POSITION",
            description =
                    "Make the source bounded: stop at latest (the end offsets when the job starts) or timestamp:<ISO instant or epoch ms>"
                            + " (the first record with a Kafka timestamp at or after it) (default: never stop)")
    String stopAt;

    @Option(
            names = "--kafka-property",
            paramLabel = "KEY=VALUE",
            description =
                    "Kafka consumer property passed through (repeatable), e.g. security.protocol=SASL_SSL, sasl.mechanism=PLAIN (default: none)")
    Map<String, String> properties = new LinkedHashMap<>();

    @Option(
            names = "--kafka-properties-file",
            paramLabel = "FILE",
            description =
                    "Kafka consumer properties file (Java properties syntax), e.g. for sasl.jaas.config with a password;"
                            + " --kafka-property entries override it (default: none)")
    Path propertiesFile;

    /** What the flags say. */
    public KafkaSettings.Flags flags() {
        return new KafkaSettings.Flags(
                bootstrap, topics, topicPattern, groupId, startingOffsets, stopAt, propertiesFile, properties);
    }

    /** The settings, with the consumer group defaulting to {@code eventagg-<jobName>}. */
    public KafkaSettings resolve(String jobName) {
        return flags().resolve(jobName);
    }
}
