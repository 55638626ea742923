package io.eventagg.cli;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.query.AggregationStorage;
import io.eventagg.query.JdbcAggregationStorage;
import io.eventagg.query.QueryException;
import io.eventagg.query.RawEvents;
import io.eventagg.sink.SinkOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What every {@code query} command takes: the job, a range, an environment, a format, the database. */
final class QueryOptions {
    @Option(names = "--job", required = true, paramLabel = "FILE", description = "Job definition (jobs/*.yaml)")
    Path jobFile;

    @Option(
            names = "--from",
            required = true,
            description =
                    "Range start (inclusive): a date or local date-time in the job's time zone (2024-01-15), or an instant")
    String from;

    @Option(names = "--to", required = true, description = "Range end (exclusive)")
    String to;

    @Option(names = "--environment", description = "One environment (default: all together)")
    String environment;

    @Option(names = "--format", defaultValue = "table", description = "table, json or csv (default: ${DEFAULT-VALUE})")
    OutputFormat format;

    @Mixin
    SinkOptions sink;

    @Mixin
    NowOption now = new NowOption();

    private JobDefinition job;

    JobDefinition job() {
        if (job == null) job = JobLoader.load(jobFile);
        return job;
    }

    /** The clock the job's horizons are measured from: --now, or the wall clock. */
    Clock clock() {
        Instant fixed = now.resolve(job().timezone());
        return fixed == null ? Clock.systemUTC() : Clock.fixed(fixed, ZoneOffset.UTC);
    }

    Instant from() {
        return from(null);
    }

    Instant to() {
        return to(null);
    }

    /** @param zone the zone local dates are read in; null for the job's */
    Instant from(ZoneId zone) {
        return TimeArgument.parse("--from", from, zone == null ? job().timezone() : zone);
    }

    Instant to(ZoneId zone) {
        return TimeArgument.parse("--to", to, zone == null ? job().timezone() : zone);
    }

    /**
     * Asks the storage one question; an error of the query comes back in the CLI's terms (see
     * {@link QueryErrors}).
     *
     * @param raw the raw events table for per-user questions, or null
     */
    <T> T answer(RawEvents raw, Function<AggregationStorage, T> question) {
        try (AggregationStorage storage = new JdbcAggregationStorage(job(), sink.resolve(), raw, clock())) {
            return question.apply(storage);
        } catch (QueryException e) {
            throw QueryErrors.inFlags(e);
        }
    }
}
