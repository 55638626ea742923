package io.eventagg.refresh;

import io.eventagg.config.JobDefinition;
import io.eventagg.sink.ConnectionFactory;
import io.eventagg.sink.SinkSettings;
import io.eventagg.sink.SqlDialect;
import io.eventagg.sink.Tables;
import io.eventagg.time.Granularity;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Deletes a job's buckets that its horizons no longer keep (minute rows older than
 * {@code horizons.minute}, ...): what a ClickHouse {@code TTL} or a Druid drop rule does, for
 * databases and tables that have neither (ClickHouse 18.16 has no TTL; one table holds the buckets
 * of every job and granularity). A backfill also removes them from its own range, as stale rows.
 */
public final class ExpiredRows {
    private ExpiredRows() {}

    /** @return per granularity with a horizon, the start of the oldest bucket kept */
    public static Map<Granularity, Long> delete(SinkSettings sink, JobDefinition job, long nowMs) throws SQLException {
        SqlDialect d = sink.dialect();
        Map<Granularity, Long> keptFrom = new LinkedHashMap<>();
        for (Granularity g : job.horizons().byGranularity().keySet())
            keptFrom.put(g, job.horizons().keptFrom(job.calendar(), g, nowMs));
        if (keptFrom.isEmpty()) return keptFrom;
        try (Connection c = ConnectionFactory.open(sink)) {
            for (Map.Entry<Granularity, Long> e : keptFrom.entrySet()) {
                String cond = "job = " + SqlDialect.quote(job.name()) + " AND granularity = "
                        + SqlDialect.quote(e.getKey().id()) + " AND bucket_start < "
                        + d.timestampLiteral(e.getValue());
                d.delete(c, Tables.TIMESERIES, cond);
                d.delete(c, Tables.ACTIVITY, cond);
            }
        }
        return keptFrom;
    }
}
