package io.eventagg.refresh;

import io.eventagg.config.ConfigException;
import io.eventagg.config.JobDefinition;
import io.eventagg.ingest.Ingested;
import io.eventagg.ingest.KafkaSettings;
import io.eventagg.sink.SinkSettings;
import java.io.Serializable;
import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Where a refresh reads raw events from: files, a Kafka time range, or a raw events table. */
public interface BackfillSource extends Serializable {
    /** The bounded stream of ingested records for (at least) the range's read span. */
    DataStream<Ingested> create(StreamExecutionEnvironment env, JobDefinition job, RefreshRange range);

    /** For messages: what is read. */
    String describe();

    /**
     * What the flags say: files ({@code --input}), a raw events table ({@code --raw-events-table},
     * in the sink's database unless {@code --raw-events-url} names another) or Kafka (chosen by
     * naming a topic or pattern); exactly one of them. Shared by the CLI and the cluster job.
     */
    record Flags(List<String> inputs, String rawEventsTable, String rawEventsUrl, KafkaSettings.Flags kafka) {
        public BackfillSource resolve(String jobName, SinkSettings sink) {
            boolean files = inputs != null && !inputs.isEmpty();
            boolean table = rawEventsTable != null;
            // --kafka-bootstrap has a default (the local broker): Kafka is chosen by naming what to read.
            boolean kafkaGiven = kafka.subscribes();
            int n = (files ? 1 : 0) + (table ? 1 : 0) + (kafkaGiven ? 1 : 0);
            if (n != 1) {
                throw new ConfigException(
                        "--input",
                        n == 0
                                ? "a source is required: --input FILES, --topic T (with --kafka-bootstrap), or --raw-events-table TABLE"
                                : "give one source: --input, --topic or --raw-events-table");
            }
            if (files) return new FilesBackfillSource(inputs);
            if (table) {
                SinkSettings db = rawEventsUrl == null
                        ? sink
                        : SinkSettings.of(rawEventsUrl)
                                .withCredentials(sink.user(), sink.password())
                                .withProperties(sink.properties());
                return new RawEventsTableSource(db, rawEventsTable);
            }
            return new KafkaBackfillSource(kafka.resolve(jobName));
        }
    }
}
