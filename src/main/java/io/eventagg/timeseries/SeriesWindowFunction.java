package io.eventagg.timeseries;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.eventagg.sink.RowVersion;
import io.eventagg.sketch.Sketches;
import io.eventagg.time.Granularity;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Turns a bucket's accumulator into its full-value row each time the window fires. */
public final class SeriesWindowFunction extends ProcessWindowFunction<SeriesAccumulator, SeriesRow, String, TimeWindow> {
    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = new JsonFactory();

    private final Granularity granularity;
    private final List<String> breakdownKeys;
    private final int breakdownLimit;
    private final long allowedLatenessMs;
    private final long generation;

    public SeriesWindowFunction(Granularity granularity, List<String> breakdownKeys, int breakdownLimit,
            long allowedLatenessMs, long generation) {
        this.granularity = granularity;
        this.breakdownKeys = List.copyOf(breakdownKeys);
        this.breakdownLimit = breakdownLimit;
        this.allowedLatenessMs = allowedLatenessMs;
        this.generation = generation;
    }

    @Override
    public void process(String key, Context ctx, Iterable<SeriesAccumulator> elements, Collector<SeriesRow> out) {
        SeriesAccumulator a = elements.iterator().next();
        TimeWindow w = ctx.window();
        boolean isFinal = ctx.currentWatermark() >= w.maxTimestamp() + allowedLatenessMs;
        long users = Sketches.estimate(a.users);
        long sessions = a.sessions == null ? 0 : Sketches.estimate(a.sessions);
        out.collect(new SeriesRow(
                a.rollup,
                a.environment,
                a.event,
                granularity.id(),
                w.getStart(),
                a.count,
                users,
                Sketches.toBytes(a.users),
                sessions,
                a.sessions == null ? null : Sketches.toBytes(a.sessions),
                a.rollup ? null : breakdownJson(a.breakdowns),
                isFinal,
                RowVersion.of(generation, a.count, isFinal)));
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
