package io.eventagg.refresh;

import io.eventagg.config.JobDefinition;
import io.eventagg.sink.ConnectionFactory;
import io.eventagg.sink.RowVersion;
import io.eventagg.sink.SinkSettings;
import io.eventagg.sink.SqlDialect;
import io.eventagg.sink.TableSpec;
import io.eventagg.sink.Tables;
import io.eventagg.time.Granularity;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/**
 * After a refresh has written its rows, deletes the rows inside its range that it did not write
 * (an older generation): values that no longer exist, such as an event whose only occurrences were
 * removed from the raw data. Rows outside the range are never touched.
 */
public final class StaleRows {
    private StaleRows() {}

    public static void delete(SinkSettings sink, JobDefinition job, RefreshRange range, long generation)
            throws SQLException {
        SqlDialect d = sink.dialect();
        String older = " AND version < " + RowVersion.firstOf(generation);
        String jobIs = "job = " + SqlDialect.quote(job.name());
        try (Connection c = ConnectionFactory.open(sink)) {
            for (Map.Entry<Granularity, RefreshRange.Span> e :
                    range.allBuckets().entrySet()) {
                String cond = jobIs + " AND granularity = "
                        + SqlDialect.quote(e.getKey().id()) + between(d, "bucket_start", e.getValue()) + older;
                d.delete(c, Tables.TIMESERIES, cond);
                d.delete(c, Tables.ACTIVITY, cond);
                d.delete(c, Tables.MEASURES, cond);
            }
            for (Map.Entry<String, RefreshRange.Span> e : range.allEntryDays().entrySet()) {
                d.delete(
                        c,
                        Tables.FUNNELS,
                        jobIs + " AND funnel = " + SqlDialect.quote(e.getKey()) + between(d, "entry_day", e.getValue())
                                + older);
            }
            for (Map.Entry<Granularity, RefreshRange.Span> e :
                    range.allStickiness().entrySet()) {
                d.delete(
                        c,
                        Tables.STICKINESS,
                        jobIs + " AND period = " + SqlDialect.quote(e.getKey().id())
                                + between(d, "period_start", e.getValue()) + older);
            }
            for (Map.Entry<String, RefreshRange.Span> e : range.allCohorts().entrySet()) {
                String cond = jobIs + " AND retention = " + SqlDialect.quote(e.getKey())
                        + between(d, "cohort_start", e.getValue()) + older;
                for (TableSpec t : new TableSpec[] {Tables.RETENTION_COHORTS, Tables.RETENTION_PERIODS})
                    d.delete(c, t, cond);
            }
        }
    }

    private static String between(SqlDialect d, String column, RefreshRange.Span s) {
        return " AND " + column + " >= " + d.timestampLiteral(s.from()) + " AND " + column + " < "
                + d.timestampLiteral(s.to());
    }
}
