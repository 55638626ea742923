package io.eventagg.config;

import java.io.Serializable;
import java.time.Instant;

/**
 * How a pipeline runs, as opposed to what it computes (the job definition).
 *
 * @param streaming streaming semantics (watermarks, lateness, early emission); false = Flink batch
 *     execution over a bounded input, where every event is on time and each row is written once
 * @param generation the refresh generation stamped into row versions (0 for live jobs)
 * @param combinerLeadMs in streaming, how long before each emission tick (every emit interval) the
 *     local pre-aggregation flushes: time for its partials to reach the bucket operator (at least
 *     twice Flink's buffer timeout, see {@code EventaggPipeline.combinerLead})
 * @param combinerMaxBuckets how many minute buckets the local pre-aggregation holds at most
 * @param nowMs the time the job's horizons are measured from, fixed (a replay of history as of that
 *     time, a reproducible test); 0: the wall clock, read as the run goes
 */
public record RunOptions(boolean streaming, long generation, long combinerLeadMs, int combinerMaxBuckets, long nowMs)
        implements Serializable {

    public RunOptions(boolean streaming, long generation, long combinerLeadMs, int combinerMaxBuckets) {
        this(streaming, generation, combinerLeadMs, combinerMaxBuckets, 0);
    }

    public static RunOptions batchDefaults() {
        return new RunOptions(false, 0, 0, 20_000);
    }

    /**
     * The combiner hands its partials over 250 ms before each tick: 2.5 times the 100 ms Flink
     * holds a record in a network buffer by default. Events in that lead wait for the next tick,
     * so it adds to every event's delay; with one second it was most of the p99 beyond the emit
     * interval.
     */
    public static RunOptions streamingDefaults() {
        return new RunOptions(true, 0, 250, 20_000);
    }

    public RunOptions withGeneration(long g) {
        return new RunOptions(streaming, g, combinerLeadMs, combinerMaxBuckets, nowMs);
    }

    /** Horizons measured from a fixed time (null: the wall clock). */
    public RunOptions withNow(Instant now) {
        return withNowMs(now == null ? 0 : now.toEpochMilli());
    }

    /** Horizons measured from a fixed time in epoch ms (0: the wall clock). */
    public RunOptions withNowMs(long now) {
        return new RunOptions(streaming, generation, combinerLeadMs, combinerMaxBuckets, now);
    }
}
