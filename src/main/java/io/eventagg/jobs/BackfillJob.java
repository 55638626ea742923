package io.eventagg.jobs;

import io.eventagg.config.JobDefinition;
import io.eventagg.refresh.Backfill;
import io.eventagg.refresh.BackfillSource;
import io.eventagg.refresh.BackfillSourceOptions;
import io.eventagg.refresh.RefreshRange;
import io.eventagg.refresh.RefreshRangeOptions;
import io.eventagg.runtime.ExitCodes;
import io.eventagg.runtime.FlinkSettings;
import io.eventagg.sink.SinkOptions;
import io.eventagg.sink.SinkSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The refresh (backfill) job for a Flink cluster, a main class of {@code target/eventagg-job.jar}:
 * recomputes every result that depends on the events of {@code [--from, --to)} in Flink's batch
 * execution mode, then deletes the rows of older generations in the range. Submit it attached
 * ({@code flink run -c io.eventagg.jobs.BackfillJob …}, without {@code -d}): the clean-up runs after
 * the Flink job has finished. {@code make backfill FROM=… TO=…} does that on the local cluster.
 */
@Command(
        name = "eventagg-backfill",
        mixinStandardHelpOptions = true,
        version = "eventagg 0.1.0",
        description =
                "Recompute a time range from raw events (files, Kafka or a raw events table) in Flink batch mode.")
public final class BackfillJob implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(BackfillJob.class);

    @Mixin
    RefreshRangeOptions range = new RefreshRangeOptions();

    @Mixin
    BackfillSourceOptions source = new BackfillSourceOptions();

    @Mixin
    SinkOptions sink = new SinkOptions();

    @Option(names = "--parallelism", description = "Parallelism (default: the cluster's)")
    Integer parallelism;

    @Option(
            names = {"-D", "--flink-option"},
            paramLabel = "KEY=VALUE",
            description = "Any Flink setting for this job (repeatable; default: none beyond the cluster's)")
    Map<String, String> flinkOptions = new LinkedHashMap<>();

    public static void main(String[] args) {
        int rc = ExitCodes.execute(new BackfillJob(), args, LOG);
        if (rc != 0) throw new IllegalStateException("the eventagg backfill did not complete (exit status " + rc + ")");
    }

    @Override
    public Integer call() throws Exception {
        JobDefinition job = this.range.job();
        RefreshRange range = this.range.range(job);
        SinkSettings settings = sink.resolve();
        BackfillSource source = this.source.resolve(job.name(), settings);
        Backfill.Summary s = Backfill.run(
                FlinkSettings.cluster(false, null, null, flinkOptions, parallelism),
                job,
                range,
                source,
                settings,
                System.out);
        System.out.printf(
                "refresh generation %d done in %.1f s: %,d records read, %,d aggregated, %,d dead-lettered, %,d outside the range,"
                        + " %,d from the late-events table, %,d rows written%n",
                s.generation(),
                s.seconds(),
                s.read(),
                s.aggregated(),
                s.deadLettered(),
                s.outsideRange(),
                s.lateEventsTable(),
                s.rowsWritten());
        return 0;
    }
}
