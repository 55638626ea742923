package io.eventagg.cli;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.config.Redact;
import io.eventagg.refresh.ExpiredRows;
import io.eventagg.sink.SinkOptions;
import io.eventagg.sink.SinkSettings;
import io.eventagg.time.Granularity;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code expire}: deletes the buckets a job's horizons no longer keep. */
@Command(
        name = "expire",
        mixinStandardHelpOptions = true,
        description = "Delete a job's minute and hour buckets older than its horizons (horizons: {minute: 7d});"
                + " run it daily beside a streaming job, as a TTL would.")
final class ExpireCommand implements Callable<Integer> {
    @Option(names = "--job", required = true, paramLabel = "FILE", description = "Job definition (jobs/*.yaml)")
    Path jobFile;

    @Mixin
    SinkOptions sink;

    @Mixin
    NowOption now = new NowOption();

    @Override
    public Integer call() throws Exception {
        JobDefinition job = JobLoader.load(jobFile);
        SinkSettings s = sink.resolve();
        Instant at = now.orWallClock(job.timezone());
        Map<Granularity, Long> kept = ExpiredRows.delete(s, job, at.toEpochMilli());
        if (kept.isEmpty()) {
            System.out.printf("job '%s' has no horizons: nothing expires%n", job.name());
            return 0;
        }
        for (Map.Entry<Granularity, Long> e : kept.entrySet()) {
            System.out.printf(
                    "job '%s': %s buckets before %s deleted from %s%n",
                    job.name(), e.getKey().id(), Instant.ofEpochMilli(e.getValue()), Redact.url(s.url()));
        }
        return 0;
    }
}
