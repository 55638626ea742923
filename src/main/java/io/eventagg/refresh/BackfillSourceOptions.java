package io.eventagg.refresh;

import io.eventagg.ingest.KafkaOptions;
import io.eventagg.sink.SinkSettings;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where a refresh reads raw events: JSON-lines files ({@code --input}), Kafka
 * ({@code --kafka-bootstrap --topic …}, read from the start of the range by arrival time to the end of
 * the topic or {@code --stop-at}), or a raw events table ({@code --raw-events-table}, in the sink's
 * database unless {@code --raw-events-url} names another). The CLI's flags only; the rules are
 * {@link BackfillSource.Flags}'s.
 */
public final class BackfillSourceOptions {
    @Option(
            names = "--input",
            split = ",",
            paramLabel = "PATH",
            description = "Raw events as JSON-lines files or directories (default: none)")
    List<String> inputs;

    @Option(
            names = "--raw-events-table",
            paramLabel = "TABLE",
            description =
                    "Raw events table (uuid, event, distinct_id, timestamp_ms, environment, session_id, properties), e.g. events (default: none)")
    String rawEventsTable;

    @Option(
            names = "--raw-events-url",
            paramLabel = "JDBC_URL",
            description = "Database of the raw events table (default: the sink's)")
    String rawEventsUrl;

    @Mixin
    public KafkaOptions kafka = new KafkaOptions();

    public BackfillSource resolve(String jobName, SinkSettings sink) {
        return new BackfillSource.Flags(inputs, rawEventsTable, rawEventsUrl, kafka.flags()).resolve(jobName, sink);
    }
}
