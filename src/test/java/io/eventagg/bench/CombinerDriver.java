package io.eventagg.bench;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.config.RunOptions;
import io.eventagg.ingest.Event;
import io.eventagg.time.Granularity;
import io.eventagg.timeseries.SeriesCombiner;
import io.eventagg.timeseries.SeriesPartial;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

/**
 * The time series' combiner alone: one thread, events parsed into memory beforehand, every partial
 * counted and dropped. What it reports (partials per granularity, the user hashes they carry) is
 * the same on every pass for the same input, and the best of a few passes varies by a few per cent,
 * where whole pipelines on this machine's two cores vary by ±15 % run to run: a change to the
 * combiner that whole-pipeline A/B runs seem to speed up by 5–10 % can be checked here
 * (docs/benchmark-journal.md, tenth round).
 *
 * <pre>
 * java -cp … io.eventagg.bench.CombinerDriver JOB.yaml EVENTS.jsonl [WATERMARK_EVERY [REPS]]
 * </pre>
 * {@code WATERMARK_EVERY} 0 (the default) feeds no watermarks, as in batch execution; N feeds one
 * every N events, the job's {@code out_of_orderness} behind the largest timestamp so far, as a
 * streaming replay does. The events are read as the ceiling reads them ({@link Ceiling}).
 */
public final class CombinerDriver {
    private CombinerDriver() {}

    /** What one pass handed on, and how long it took. */
    public record Pass(
            long events, long[] partials, long[] hashes, long[] sketches, long rollupMinuteCount, double seconds) {
        long totalPartials() {
            long n = 0;
            for (long p : partials) n += p;
            return n;
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder(String.format(
                    "%.2f s, %,.0f events/s, %,d partials (%.3f per event):",
                    seconds, events / seconds, totalPartials(), totalPartials() / (double) events));
            for (Granularity g : Granularity.values()) {
                int i = g.ordinal();
                if (partials[i] > 0)
                    s.append(String.format(
                            " %s %,d (%,d hashes, %,d sketches)",
                            g.name().toLowerCase(), partials[i], hashes[i], sketches[i]));
            }
            return s.toString();
        }
    }

    public static void main(String[] args) throws Exception {
        JobDefinition job = JobLoader.load(Path.of(args[0]));
        List<Event> events = Ceiling.events(job, List.of(args[1]));
        int watermarkEvery = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        int reps = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        System.out.printf("%,d events from %s, watermark every %,d%n", events.size(), args[1], watermarkEvery);
        int maxBuckets = RunOptions.batchDefaults().combinerMaxBuckets();
        for (int i = 0; i < reps; i++) System.out.println(run(job, events, watermarkEvery, maxBuckets));
    }

    /** One pass of every event through a fresh combiner (batch settings: no processing-time flushes). */
    public static Pass run(JobDefinition job, List<Event> events, int watermarkEvery, int maxBuckets) throws Exception {
        SeriesCombiner combiner = new SeriesCombiner(job, 0, 0, maxBuckets);
        Counting counting = new Counting();
        try (var harness = new OneInputStreamOperatorTestHarness<Event, SeriesPartial>(combiner)) {
            harness.open();
            // The harness's own output copies every record through its serializer; the pipeline's does not.
            Field output = AbstractStreamOperator.class.getDeclaredField("output");
            output.setAccessible(true);
            output.set(combiner, counting);
            long lag = job.watermark().outOfOrderness().toMillis();
            long maxTs = Long.MIN_VALUE;
            long t0 = System.nanoTime();
            int n = 0;
            StreamRecord<Event> record = new StreamRecord<>(null);
            for (Event e : events) {
                combiner.processElement(record.replace(e, e.timestamp()));
                maxTs = Math.max(maxTs, e.timestamp());
                if (watermarkEvery > 0 && ++n % watermarkEvery == 0)
                    combiner.processWatermark(new Watermark(maxTs - lag));
            }
            combiner.endInput();
            double seconds = (System.nanoTime() - t0) / 1e9;
            return new Pass(
                    events.size(),
                    counting.partials,
                    counting.hashes,
                    counting.sketches,
                    counting.rollupMinuteCount,
                    seconds);
        }
    }

    /** Counts the partials and drops them. */
    private static final class Counting implements Output<StreamRecord<SeriesPartial>> {
        final long[] partials = new long[Granularity.values().length];
        final long[] hashes = new long[Granularity.values().length];
        final long[] sketches = new long[Granularity.values().length];
        long rollupMinuteCount;

        @Override
        public void collect(StreamRecord<SeriesPartial> record) {
            SeriesPartial p = record.getValue();
            int g = p.granularity().ordinal();
            partials[g]++;
            if (p.users() != null && p.users().hashes() != null)
                hashes[g] += p.users().hashes().length;
            else if (p.users() != null) sketches[g]++;
            if (p.rollup() && p.granularity() == Granularity.MINUTE) rollupMinuteCount += p.count();
        }

        @Override
        public <X> void collect(OutputTag<X> tag, StreamRecord<X> record) {}

        @Override
        public void emitWatermark(Watermark mark) {}

        @Override
        public void emitWatermarkStatus(WatermarkStatus status) {}

        @Override
        public void emitLatencyMarker(LatencyMarker marker) {}

        @Override
        public void emitRecordAttributes(RecordAttributes attributes) {}

        @Override
        public void emitWatermark(WatermarkEvent event) {}

        @Override
        public void close() {}
    }
}
