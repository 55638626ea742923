package io.eventagg.refresh;

import io.eventagg.config.JobDefinition;
import io.eventagg.ingest.EventParser;
import io.eventagg.ingest.FileEventSource;
import io.eventagg.ingest.Ingested;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** JSON-lines files, read whole (events outside the read span are skipped afterwards). */
public final class FilesBackfillSource implements BackfillSource {
    private static final long serialVersionUID = 1L;

    private final List<String> inputs;

    public FilesBackfillSource(List<String> inputs) {
        this.inputs = List.copyOf(inputs);
    }

    @Override
    public DataStream<Ingested> create(StreamExecutionEnvironment env, JobDefinition job, RefreshRange range) {
        return env.fromSource(
                        FileEventSource.of(inputs, EventParser.forJob(job)), WatermarkStrategy.noWatermarks(), "events")
                .uid("source");
    }

    @Override
    public String describe() {
        return "files " + String.join(", ", inputs);
    }
}
