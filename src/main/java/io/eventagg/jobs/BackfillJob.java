package io.eventagg.jobs;

import io.eventagg.cli.BackfillSourceOptions;
import io.eventagg.cli.SinkOptions;
import io.eventagg.cli.TimeArgument;
import io.eventagg.config.ConfigException;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.pipeline.FlinkSettings;
import io.eventagg.refresh.Backfill;
import io.eventagg.refresh.RefreshRange;
import io.eventagg.sink.SinkSettings;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
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
@Command(name = "eventagg-backfill", mixinStandardHelpOptions = true, version = "eventagg 0.1.0",
        description = "Recompute a time range from raw events (files, Kafka or a raw events table) in Flink batch mode.")
public final class BackfillJob implements Callable<Integer> {
    @Option(names = "--job", required = true, paramLabel = "FILE")
    Path jobFile;

    @Option(names = "--from", required = true, description = "Range start (inclusive): a date (job time zone) or an instant")
    String from;

    @Option(names = "--to", required = true, description = "Range end (exclusive)")
    String to;

    @Mixin
    BackfillSourceOptions source = new BackfillSourceOptions();

    @Mixin
    SinkOptions sink = new SinkOptions();

    @Option(names = "--parallelism", description = "Parallelism (default: the cluster's)")
    Integer parallelism;

    @Option(names = {"-D", "--flink-option"}, paramLabel = "KEY=VALUE", description = "Any Flink setting for this job (repeatable)")
    Map<String, String> flinkOptions = new LinkedHashMap<>();

    public static void main(String[] args) {
        CommandLine cmd = new CommandLine(new BackfillJob());
        cmd.setExecutionExceptionHandler((e, line, parsed) -> {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ConfigException) {
                    line.getErr().println("error: " + t.getMessage());
                    return 2;
                }
            }
            throw e;
        });
        int rc = cmd.execute(args);
        if (rc != 0) throw new IllegalStateException("the eventagg backfill did not complete (exit status " + rc + ")");
    }

    @Override
    public Integer call() throws Exception {
        JobDefinition job = JobLoader.load(jobFile);
        Instant f = TimeArgument.parse("--from", from, job.timezone());
        Instant t = TimeArgument.parse("--to", to, job.timezone());
        if (!f.isBefore(t)) throw new ConfigException("--from", "must be before --to");
        SinkSettings settings = sink.resolve();
        Configuration conf = FlinkSettings.base(false);
        // A refresh that fails should say so, not retry for the cluster's streaming-sized budget.
        conf.setString("restart-strategy.type", "fixed-delay");
        conf.setString("restart-strategy.fixed-delay.attempts", "2");
        conf.setString("restart-strategy.fixed-delay.delay", "5 s");
        if (!flinkOptions.isEmpty()) conf.addAll(Configuration.fromMap(flinkOptions));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        if (parallelism != null) env.setParallelism(parallelism);
        Backfill.Summary s = Backfill.run(env, job, new RefreshRange(job, f, t), source.resolve(job.name(), settings), settings, System.out);
        System.out.printf("refresh generation %d done in %.1f s: %,d records read, %,d aggregated, %,d dead-lettered, %,d outside the range,"
                + " %,d from the late-events table, %,d rows written%n", s.generation(), s.seconds(), s.read(), s.aggregated(),
                s.deadLettered(), s.outsideRange(), s.lateEventsTable(), s.rowsWritten());
        return 0;
    }
}
