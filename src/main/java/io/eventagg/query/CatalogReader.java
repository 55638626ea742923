package io.eventagg.query;

import io.eventagg.config.ActionDefinition;
import io.eventagg.config.Durations;
import io.eventagg.config.FunnelStep;
import io.eventagg.config.JobDefinition;
import io.eventagg.sink.TableSpec;
import io.eventagg.sink.Tables;
import io.eventagg.time.Granularity;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Answers {@link AggregationStorage#catalog}: the job file's names, and what the tables hold. */
final class CatalogReader {
    private final JobDefinition job;
    private final QueryDatabase db;

    CatalogReader(JobDefinition job, QueryDatabase db) {
        this.job = job;
        this.db = db;
    }

    Catalog read() {
        try {
            Map<String, String> horizons = new LinkedHashMap<>();
            job.horizons().byGranularity().forEach((g, d) -> horizons.put(g.id(), Durations.format(d)));
            // Actions' rows are series too; they are listed as actions.
            List<String> events = job.events().isEmpty()
                    ? distinct("event", Tables.TIMESERIES, " AND event IS NOT NULL AND event <> ''").stream()
                            .filter(e -> !e.startsWith(ActionDefinition.STORED_PREFIX))
                            .toList()
                    : job.events();
            Long watermark = JobProgress.watermark(db, job.name());
            return new Catalog(
                    job.name(),
                    job.timezone().getId(),
                    job.granularities().stream().map(Granularity::id).toList(),
                    horizons,
                    events,
                    distinct("environment", Tables.ACTIVITY, ""),
                    job.breakdowns(),
                    job.funnels().stream()
                            .map(f -> new Catalog.Funnel(
                                    f.name(),
                                    f.steps().stream().map(FunnelStep::name).toList(),
                                    f.conversionWindowSeconds()))
                            .toList(),
                    job.retention().stream()
                            .map(r -> new Catalog.Retention(
                                    r.name(),
                                    r.type().id(),
                                    r.startEvent(),
                                    r.returnEvent(),
                                    r.cohortPeriod().id(),
                                    r.periods()))
                            .toList(),
                    watermark == null ? null : Instant.ofEpochMilli(watermark),
                    watermark == null
                            ? null
                            : Instant.ofEpochMilli(watermark)
                                    .minus(job.watermark().allowedLateness()),
                    job.actions().stream().map(ActionDefinition::name).toList(),
                    job.stickiness().periods().stream().map(Granularity::id).toList(),
                    job.measures().stream()
                            .map(m -> new Catalog.Measure(m.name(), m.property(), m.events()))
                            .toList());
        } catch (SQLException e) {
            throw db.failed(e);
        }
    }

    /**
     * The distinct values of a column among the job's rows, sorted. From the bare table: a newer
     * version of a row keeps its key, so every version names the same values.
     */
    private List<String> distinct(String column, TableSpec table, String more) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepare("SELECT DISTINCT " + column + " FROM " + table.name() + " WHERE job = ?"
                + more + " ORDER BY " + column)) {
            ps.setString(1, job.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }
}
