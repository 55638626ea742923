package io.eventagg.query;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import java.nio.file.Path;

/** A job with one of everything, and an empty DuckDB with the tables, for the readers' tests. */
final class ReaderFixture {
    static final JobDefinition JOB = JobLoader.parse("""
            name: readers
            timezone: UTC
            granularities: [hour, day]
            breakdowns: [plan]
            funnels:
              - name: onboarding
                conversion_window_seconds: 86400
                steps:
                  - {event: signup}
                  - {event: created_project}
            retention:
              - {name: weekly, start_event: signup, return_event: pageview, cohort_period: week, periods: 2}
            """);

    private ReaderFixture() {}

    static SinkSettings database(Path dir) throws Exception {
        SinkSettings s = SinkSettings.of("jdbc:duckdb:" + dir.resolve("readers.duckdb"));
        SchemaManager.apply(s);
        return s;
    }
}
