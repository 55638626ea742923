package io.eventagg.runtime;

import io.eventagg.ingest.RunCounter;
import java.util.HashMap;
import java.util.Map;

/**
 * A job's counters ({@link RunCounter}s and any other long accumulator), so far or at its end: the
 * one place that reads Flink's accumulators by name.
 */
public record Counters(Map<String, Long> values) {
    public Counters {
        values = Map.copyOf(values);
    }

    /** The numeric accumulators of a job (others are left out). */
    static Counters of(Map<String, Object> accumulators) {
        Map<String, Long> v = new HashMap<>();
        accumulators.forEach((k, x) -> {
            if (x instanceof Number n) v.put(k, n.longValue());
        });
        return new Counters(v);
    }

    /** A counter's value; 0 when the job has none of that name (no record reached it). */
    public long get(String name) {
        return values.getOrDefault(name, 0L);
    }

    public long read() {
        return get(RunCounter.EVENTS_IN);
    }

    public long aggregated() {
        return get(RunCounter.EVENTS_AGGREGATED);
    }

    public long deadLettered() {
        return get(RunCounter.EVENTS_DEAD_LETTERED);
    }

    public long late() {
        return get(RunCounter.EVENTS_LATE);
    }

    public long rowsWritten() {
        return get(RunCounter.ROWS_WRITTEN);
    }
}
