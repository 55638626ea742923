package io.eventagg.refresh;

import io.eventagg.config.JobDefinition;
import io.eventagg.ingest.Ingested;
import java.io.Serializable;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Where a refresh reads raw events from: files, a Kafka time range, or a raw events table. */
public interface BackfillSource extends Serializable {
    /** The bounded stream of ingested records for (at least) the range's read span. */
    DataStream<Ingested> create(StreamExecutionEnvironment env, JobDefinition job, RefreshRange range);

    /** For messages: what is read. */
    String describe();
}
