package io.eventagg.cli;

import io.eventagg.config.ConfigException;
import io.eventagg.refresh.BackfillSource;
import io.eventagg.refresh.FilesBackfillSource;
import io.eventagg.refresh.KafkaBackfillSource;
import io.eventagg.refresh.RawEventsTableSource;
import io.eventagg.sink.SinkSettings;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where a refresh reads raw events: JSON-lines files ({@code --input}), Kafka
 * ({@code --kafka-bootstrap --topic …}, read from the start of the range by arrival time to the end of
 * the topic or {@code --stop-at}), or a raw events table ({@code --raw-events-table}, in the sink's
 * database unless {@code --raw-events-url} names another).
 */
public final class BackfillSourceOptions {
    @Option(names = "--input", split = ",", paramLabel = "PATH", description = "Raw events as JSON-lines files or directories")
    List<String> inputs;

    @Option(names = "--raw-events-table", paramLabel = "TABLE",
            description = "Raw events table (uuid, event, distinct_id, timestamp_ms, environment, session_id, properties), e.g. events")
    String rawEventsTable;

    @Option(names = "--raw-events-url", paramLabel = "JDBC_URL", description = "Database of the raw events table (default: the sink's)")
    String rawEventsUrl;

    @Mixin
    public KafkaOptions kafka = new KafkaOptions();

    public BackfillSource resolve(String jobName, SinkSettings sink) {
        boolean files = inputs != null && !inputs.isEmpty();
        boolean table = rawEventsTable != null;
        // --kafka-bootstrap has a default (the local broker): Kafka is chosen by naming what to read.
        boolean kafkaGiven = !kafka.topics.isEmpty() || kafka.topicPattern != null;
        int n = (files ? 1 : 0) + (table ? 1 : 0) + (kafkaGiven ? 1 : 0);
        if (n != 1) {
            throw new ConfigException("--input", n == 0
                    ? "a source is required: --input FILES, --topic T (with --kafka-bootstrap), or --raw-events-table TABLE"
                    : "give one source: --input, --topic or --raw-events-table");
        }
        if (files) return new FilesBackfillSource(inputs);
        if (table) {
            SinkSettings db = rawEventsUrl == null ? sink : SinkSettings.of(rawEventsUrl).withCredentials(sink.user(), sink.password())
                    .withProperties(sink.properties());
            return new RawEventsTableSource(db, rawEventsTable);
        }
        return new KafkaBackfillSource(kafka.resolve(jobName));
    }
}
