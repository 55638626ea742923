package io.eventagg.refresh;

import io.eventagg.config.JobDefinition;
import io.eventagg.ingest.EventParser;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.ingest.Ingested;
import io.eventagg.ingest.KafkaEventSource;
import io.eventagg.ingest.KafkaSettings;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Kafka as a bounded source for a refresh. Kafka orders records by arrival, not by event time: the
 * source starts at the records that arrived at the start of the read span (minus
 * {@code limits.max_future}, for clients whose clock runs ahead) and, unless told otherwise, reads
 * to the end of the topic — so events that arrived late, long after their event time, are read too
 * (those outside the span are skipped). {@code --stop-at timestamp:T} bounds it at arrival time T.
 */
public final class KafkaBackfillSource implements BackfillSource {
    private static final long serialVersionUID = 1L;

    private final KafkaSettings settings;

    public KafkaBackfillSource(KafkaSettings settings) {
        this.settings = settings;
    }

    @Override
    public DataStream<Ingested> create(StreamExecutionEnvironment env, JobDefinition job, RefreshRange range) {
        long start = range.read().from() - job.limits().maxFuture().toMillis();
        KafkaSettings bounded = new KafkaSettings(
                settings.bootstrapServers(),
                settings.topics(),
                settings.topicPattern(),
                settings.groupId(),
                new KafkaSettings.Position(KafkaSettings.Kind.TIMESTAMP, start),
                settings.stopAt() == null ? KafkaSettings.Position.LATEST : settings.stopAt(),
                settings.properties());
        return env.fromSource(
                        KafkaEventSource.of(bounded, EventParser.forJob(job)),
                        IngestWatermarks.strategy(job.watermark()),
                        "events")
                .uid("source");
    }

    @Override
    public String describe() {
        return "Kafka " + settings.subscription() + " at " + settings.bootstrapServers() + " (to "
                + (settings.stopAt() == null ? "latest" : settings.stopAt()) + ")";
    }
}
