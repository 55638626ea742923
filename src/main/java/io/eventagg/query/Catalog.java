package io.eventagg.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a job answers about, for a client that builds questions (the dashboard, a BI tool): its
 * granularities and horizons, the events and environments it has data for, its breakdown keys,
 * funnels and retention definitions, and how far its data is complete.
 *
 * @param events the job's {@code events} when it lists them, else the events its rows hold
 * @param watermark the job's event-time progress (absent before the job wrote any)
 * @param finalBefore buckets ending before this no longer change (the watermark minus the allowed
 *     lateness; absent with the watermark)
 * @param actions the job's filtered series, asked for by name like events
 * @param stickiness the periods the job counts stickiness for ({@code week}, {@code month})
 * @param measures the job's numeric measures
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Catalog(
        String job,
        String timezone,
        List<String> granularities,
        Map<String, String> horizons,
        List<String> events,
        List<String> environments,
        List<String> breakdowns,
        List<Funnel> funnels,
        List<Retention> retention,
        Instant watermark,
        Instant finalBefore,
        List<String> actions,
        List<String> stickiness,
        List<Measure> measures) {

    /** A numeric measure: the property it aggregates and the events it reads it from. */
    public record Measure(String name, String property, List<String> events) {}

    /** A funnel: its steps' names in order and its conversion window. */
    public record Funnel(String name, List<String> steps, long conversionWindowSeconds) {}

    /** A retention definition: its events, cohort period and number of periods. */
    public record Retention(
            String name, String type, String startEvent, String returnEvent, String period, int periods) {}
}
