package io.eventagg.refresh;

import io.eventagg.config.ConfigException;
import io.eventagg.config.Instants;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import java.nio.file.Path;
import java.time.Instant;
import picocli.CommandLine.Option;

/**
 * What a refresh recomputes: the job file and the range of event time ({@code --job --from --to}),
 * the same flags for the CLI's {@code backfill} and the cluster's backfill job.
 */
public final class RefreshRangeOptions {
    @Option(names = "--job", required = true, paramLabel = "FILE")
    Path jobFile;

    @Option(
            names = "--from",
            required = true,
            description = "Range start (inclusive): a date (job time zone) or an instant")
    String from;

    @Option(names = "--to", required = true, description = "Range end (exclusive)")
    String to;

    /** The job file, read and checked. */
    public JobDefinition job() {
        return JobLoader.load(jobFile);
    }

    /** The range in the job's time zone; {@code --from} must be before {@code --to}. */
    public RefreshRange range(JobDefinition job) {
        Instant f = Instants.parse("--from", from, job.timezone());
        Instant t = Instants.parse("--to", to, job.timezone());
        if (!f.isBefore(t)) throw new ConfigException("--from", "must be before --to");
        return new RefreshRange(job, f, t);
    }
}
