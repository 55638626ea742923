package io.eventagg.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventagg.config.JobDefinition;
import io.eventagg.sink.SinkSettings;
import io.eventagg.testing.Tiers;
import io.eventagg.time.Granularity;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The facade hands each question to its reader; a database without tables is a storage failure. */
@Tag(Tiers.SERVICES)
class JdbcAggregationStorageTest {
    @TempDir
    Path dir;

    @Test
    void aDatabaseWithoutTheTablesIsAStorageFailure() {
        JobDefinition job = ReaderFixture.JOB;
        try (AggregationStorage s =
                new JdbcAggregationStorage(job, SinkSettings.of("jdbc:duckdb:" + dir.resolve("empty.duckdb")))) {
            assertThatThrownBy(() -> s.query(new TimeSeriesQuery(
                            List.of(),
                            QueryRangeTest.DAY1,
                            QueryRangeTest.DAY2,
                            Granularity.DAY,
                            null,
                            List.of(),
                            null)))
                    .isInstanceOfSatisfying(QueryException.class, e -> {
                        assertThat(e.parameter()).isNull();
                        assertThat(e.problem()).isEqualTo(QueryException.Problem.STORAGE_FAILURE);
                        assertThat(e.getMessage()).startsWith("query failed on duckdb: ");
                    });
        }
    }

    @Test
    void eachQuestionGoesToItsReader() throws Exception {
        JobDefinition job = ReaderFixture.JOB;
        Instant from = QueryRangeTest.DAY1, to = QueryRangeTest.DAY2;
        try (AggregationStorage s = new JdbcAggregationStorage(job, ReaderFixture.database(dir))) {
            assertThat(s.query(new TimeSeriesQuery(List.of("signup"), from, to, Granularity.DAY, null, List.of(), null))
                            .series())
                    .hasSize(1);
            assertThat(s.funnel(new FunnelQuery("onboarding", from, to, null)).steps())
                    .hasSize(2);
            assertThat(s.retention(new RetentionQuery("weekly", from, to, false, null))
                            .overallRetention())
                    .hasSize(3);
        }
    }
}
