package io.eventagg.timeseries;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.eventagg.sink.RowVersion;
import io.eventagg.sketch.Sketches;
import io.eventagg.time.Granularity;
import java.io.IOException;
import java.io.Serializable;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** Turns a bucket's accumulator into its full-value row (every emission carries the whole value). */
public final class SeriesRows implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = new JsonFactory();

    private final List<String> breakdownKeys;
    private final int breakdownLimit;
    private final long generation;

    public SeriesRows(List<String> breakdownKeys, int breakdownLimit, long generation) {
        this.breakdownKeys = List.copyOf(breakdownKeys);
        this.breakdownLimit = breakdownLimit;
        this.generation = generation;
    }

    /** The row of one bucket; the version grows with the count, the final row outranks all others. */
    public SeriesRow row(SeriesAccumulator a, Granularity granularity, long bucketStart, boolean isFinal) {
        long users = Sketches.estimate(a.users);
        long sessions = a.sessions == null ? 0 : Sketches.estimate(a.sessions);
        return new SeriesRow(
                a.rollup,
                a.environment,
                a.event,
                granularity.id(),
                bucketStart,
                a.count,
                users,
                Sketches.toBytes(a.users),
                sessions,
                a.sessions == null ? null : Sketches.toBytes(a.sessions),
                a.rollup ? null : breakdownJson(a.breakdowns),
                isFinal,
                RowVersion.of(generation, a.count, isFinal));
    }

    String breakdownJson(BreakdownCounts b) {
        StringWriter sw = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(sw)) {
            g.writeStartObject();
            for (int k = 0; k < breakdownKeys.size(); k++) {
                List<Map.Entry<String, Long>> top = b.top(k, breakdownLimit);
                if (top.isEmpty()) continue;
                g.writeObjectFieldStart(breakdownKeys.get(k));
                for (Map.Entry<String, Long> e : top) g.writeNumberField(e.getKey(), e.getValue());
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sw.toString();
    }
}
