package io.eventagg.testing;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;

/** Job definitions used by tests. */
public final class TestJobs {
    private TestJobs() {}

    /** Time series only, five granularities, a small breakdown limit so {@code $other} is exercised. */
    public static JobDefinition timeSeries(String name, String zone) {
        return JobLoader.parse("""
                name: %s
                timezone: %s
                granularities: [minute, hour, day, week, month]
                breakdowns: [plan, country, path]
                breakdown_limit: 5
                watermark: {out_of_orderness: 30s, allowed_lateness: 1h, emit_interval: 1s}
                """.formatted(name, zone));
    }
}
