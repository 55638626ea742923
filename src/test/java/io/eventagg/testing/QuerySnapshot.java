package io.eventagg.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventagg.config.FunnelDefinition;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.RetentionDefinition;
import io.eventagg.query.FunnelQuery;
import io.eventagg.query.JdbcAggregationStorage;
import io.eventagg.query.ResultJson;
import io.eventagg.query.RetentionQuery;
import io.eventagg.query.TimeSeriesQuery;
import io.eventagg.sink.SinkSettings;
import io.eventagg.time.Granularity;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every answer the query side gives for a range, as JSON: time series per granularity (all events,
 * and a few events with breakdowns), every funnel and every retention definition (both modes).
 * Two databases hold the same results exactly when their snapshots are equal.
 */
public final class QuerySnapshot {
    private static final ObjectMapper JSON = ResultJson.MAPPER;

    private QuerySnapshot() {}

    public static Map<String, String> of(JobDefinition job, SinkSettings sink, Instant from, Instant to)
            throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        try (JdbcAggregationStorage s = new JdbcAggregationStorage(job, sink)) {
            for (Granularity g : job.granularities()) {
                Instant end = g == Granularity.MINUTE ? from.plusSeconds(3 * 86_400L) : to;
                out.put(
                        "timeseries " + g.id() + " all",
                        JSON.writeValueAsString(
                                s.query(new TimeSeriesQuery(List.of(), from, end, g, null, job.breakdowns(), null))));
                out.put(
                        "timeseries " + g.id() + " some",
                        JSON.writeValueAsString(s.query(new TimeSeriesQuery(
                                List.of("signup", "purchase", "pageview"),
                                from,
                                end,
                                g,
                                "production",
                                job.breakdowns(),
                                null))));
            }
            for (FunnelDefinition f : job.funnels()) {
                out.put(
                        "funnel " + f.name(),
                        JSON.writeValueAsString(s.funnel(new FunnelQuery(f.name(), from, to, null))));
            }
            for (RetentionDefinition r : job.retention()) {
                for (boolean after : new boolean[] {false, true}) {
                    out.put(
                            "retention " + r.name() + " " + after,
                            JSON.writeValueAsString(s.retention(new RetentionQuery(r.name(), from, to, after, null))));
                }
            }
        }
        return out;
    }
}
