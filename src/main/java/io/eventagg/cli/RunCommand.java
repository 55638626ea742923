package io.eventagg.cli;

import io.eventagg.config.ConfigException;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.config.RunOptions;
import io.eventagg.ingest.EventParser;
import io.eventagg.ingest.FileEventSource;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.ingest.Ingested;
import io.eventagg.ingest.KafkaEventSource;
import io.eventagg.ingest.KafkaOptions;
import io.eventagg.ingest.KafkaSettings;
import io.eventagg.pipeline.EventaggPipeline;
import io.eventagg.pipeline.JdbcOutputs;
import io.eventagg.runtime.Counters;
import io.eventagg.runtime.FlinkJob;
import io.eventagg.runtime.FlinkSettings;
import io.eventagg.runtime.RunSummary;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkOptions;
import io.eventagg.sink.SinkSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.api.connector.source.Source;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code run}: a job over JSON-lines files, or a Kafka topic, on an embedded Flink MiniCluster. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description =
                "Run a job over JSON-lines files (a file, a directory, .gz) or Kafka topics on a local Flink MiniCluster.")
final class RunCommand implements Callable<Integer> {
    enum Mode {
        batch,
        streaming
    }

    enum SourceKind {
        file,
        kafka
    }

    @Option(names = "--job", required = true, paramLabel = "FILE", description = "Job definition (jobs/*.yaml)")
    Path jobFile;

    @Option(
            names = "--source",
            defaultValue = "file",
            description =
                    "file (--input) or kafka (--kafka-bootstrap, --topic...; runs until stopped unless --stop-at is given) (default: ${DEFAULT-VALUE})")
    SourceKind sourceKind;

    @Option(
            names = "--input",
            split = ",",
            paramLabel = "PATH",
            description = "Input files or directories (--source file; default: none, required there)")
    List<String> inputs;

    @Option(
            names = "--mode",
            description =
                    "batch (Flink batch execution; the default for files) or streaming (watermarks, lateness, early emission;"
                            + " the default for Kafka, which allows batch only with --stop-at) (default: batch for files, streaming for Kafka)")
    Mode mode;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    NowOption now = new NowOption();

    @Option(names = "--parallelism", defaultValue = "2", description = "Parallelism (default: ${DEFAULT-VALUE})")
    int parallelism;

    @Option(
            names = "--state-backend",
            defaultValue = "${env:STATE_BACKEND:-hashmap}",
            description = "Streaming state: hashmap (heap, fastest while state fits in memory), rocksdb (local disk,"
                    + " state larger than memory, incremental checkpoints) or forst (Flink 2's disaggregated state);"
                    + " batch execution keeps no state backend (default: $STATE_BACKEND, else hashmap)")
    FlinkSettings.StateBackend stateBackend;

    @Mixin
    SinkOptions sink;

    @Override
    public Integer call() throws Exception {
        JobDefinition job = JobLoader.load(jobFile);
        SinkSettings settings = sink.resolve();
        if (parallelism < 1) throw new ConfigException("--parallelism", "must be at least 1");
        Source<Ingested, ?, ?> source;
        String input;
        if (sourceKind == SourceKind.kafka) {
            if (inputs != null && !inputs.isEmpty())
                throw new ConfigException("--input", "is for --source file; Kafka reads --topic");
            KafkaSettings k = kafka.resolve(job.name());
            if (mode == null) mode = Mode.streaming;
            if (mode == Mode.batch && !k.bounded()) {
                throw new ConfigException(
                        "--mode", "batch needs a bounded Kafka source: add --stop-at latest (or timestamp:...)");
            }
            source = KafkaEventSource.of(k, EventParser.forJob(job));
            input = k.toString();
        } else {
            if (inputs == null || inputs.isEmpty())
                throw new ConfigException("--input", "is required with --source file");
            if (mode == null) mode = Mode.batch;
            source = FileEventSource.of(inputs, EventParser.forJob(job));
            input = String.join(", ", inputs);
        }
        SchemaManager.apply(settings);
        boolean streaming = mode == Mode.streaming;
        System.out.printf(
                "eventagg run: job '%s', %s mode, parallelism %d%s%n  input  %s%n  sink   %s%n",
                job.name(),
                mode,
                parallelism,
                streaming ? ", state backend " + stateBackend : "",
                input,
                SinkOptions.describe(settings));
        RunOptions options = (streaming ? RunOptions.streamingDefaults() : RunOptions.batchDefaults())
                .withNow(now.resolve(job.timezone()));
        JdbcOutputs outputs = new JdbcOutputs(job.name(), settings);
        RunSummary summary = FlinkJob.define(
                        FlinkSettings.local(streaming, parallelism, stateBackend),
                        "eventagg " + job.name(),
                        env -> EventaggPipeline.define(
                                env.fromSource(source, IngestWatermarks.strategy(job.watermark()), "events")
                                        .uid("source"),
                                job,
                                options,
                                outputs))
                .run(
                        Duration.ofSeconds(2),
                        (soFar, secs) -> System.out.printf(
                                "  … %,d records read (%,.0f/s), %,d rows written%n",
                                soFar.read(), soFar.read() / secs, soFar.rowsWritten()));
        Counters s = summary.counters();
        System.out.printf("done in %.1f s%n", summary.seconds());
        System.out.printf("  records read    %,14d%n", s.read());
        System.out.printf("  aggregated      %,14d%n", s.aggregated());
        System.out.printf("  dead-lettered   %,14d   (table ea_dead_letters)%n", s.deadLettered());
        System.out.printf("  late            %,14d   (table ea_late_events)%n", s.late());
        System.out.printf("  rows written    %,14d%n", s.rowsWritten());
        System.out.printf("  throughput      %,14.0f records/s%n", summary.recordsPerSecond());
        if (s.read() != s.aggregated() + s.deadLettered() + s.late()) {
            System.err.println("warning: records read != aggregated + dead-lettered + late");
            return 1;
        }
        return 0;
    }
}
