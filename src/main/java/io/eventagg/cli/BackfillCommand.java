package io.eventagg.cli;

import io.eventagg.config.JobDefinition;
import io.eventagg.refresh.Backfill;
import io.eventagg.refresh.BackfillSource;
import io.eventagg.refresh.BackfillSourceOptions;
import io.eventagg.refresh.RefreshRange;
import io.eventagg.refresh.RefreshRangeOptions;
import io.eventagg.runtime.FlinkSettings;
import io.eventagg.sink.SinkOptions;
import io.eventagg.sink.SinkSettings;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code backfill}: recompute a time range from raw events, on a local MiniCluster. */
@Command(
        name = "backfill",
        mixinStandardHelpOptions = true,
        description =
                "Recompute every result that depends on the events of [from, to) from raw events (Flink batch execution).")
final class BackfillCommand implements Callable<Integer> {
    @Mixin
    RefreshRangeOptions range = new RefreshRangeOptions();

    @Mixin
    BackfillSourceOptions source = new BackfillSourceOptions();

    @Option(names = "--parallelism", defaultValue = "2", description = "Parallelism (default: ${DEFAULT-VALUE})")
    int parallelism;

    @Mixin
    SinkOptions sink;

    @Mixin
    NowOption now = new NowOption();

    @Override
    public Integer call() throws Exception {
        JobDefinition job = this.range.job();
        RefreshRange range = this.range.range(job);
        SinkSettings settings = sink.resolve();
        BackfillSource source = this.source.resolve(job.name(), settings);
        Instant fixed = now.resolve(job.timezone());
        Backfill.Summary s = Backfill.run(
                FlinkSettings.local(false, parallelism),
                job,
                range,
                source,
                settings,
                fixed == null ? 0 : fixed.toEpochMilli(),
                System.out);
        System.out.printf("done in %.1f s: generation %d%n", s.seconds(), s.generation());
        System.out.printf("  records read            %,14d%n", s.read());
        System.out.printf("  aggregated              %,14d%n", s.aggregated());
        System.out.printf("  dead-lettered           %,14d%n", s.deadLettered());
        System.out.printf("  outside the read range  %,14d   (skipped)%n", s.outsideRange());
        System.out.printf("  from the late table     %,14d%n", s.lateEventsTable());
        System.out.printf("  rows written            %,14d%n", s.rowsWritten());
        return 0;
    }
}
