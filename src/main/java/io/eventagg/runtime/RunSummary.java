package io.eventagg.runtime;

import org.apache.flink.api.common.JobID;

/**
 * What a finished job did.
 *
 * @param seconds from submission to the result, as the caller waited for it (with a local
 *     MiniCluster: its start and stop included)
 * @param netRuntimeSeconds Flink's net run time of the job: scheduling, reading, processing,
 *     writing every row
 */
public record RunSummary(JobID jobId, Counters counters, double seconds, double netRuntimeSeconds) {
    /** Records read per second of {@link #seconds}. */
    public double recordsPerSecond() {
        return seconds <= 0 ? 0 : counters.read() / seconds;
    }
}
