package io.eventagg.runtime;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;

/** A submitted job: its counters while it runs, and its {@link RunSummary} when it ends. */
public final class RunningJob {
    /** Told the counters so far, and the seconds since submission, while a job runs. */
    @FunctionalInterface
    public interface Progress {
        void report(Counters soFar, double seconds);
    }

    private final JobClient client;
    private final long startedNanos;

    RunningJob(JobClient client, long startedNanos) {
        this.client = client;
        this.startedNanos = startedNanos;
    }

    public JobID id() {
        return client.getJobID();
    }

    /** Flink's handle, for what only it does: the job's status, savepoints, cancelling. */
    public JobClient client() {
        return client;
    }

    /** The counters so far. */
    public Counters counters(Duration timeout) throws Exception {
        return Counters.of(client.getAccumulators().get(timeout.toMillis(), TimeUnit.MILLISECONDS));
    }

    /**
     * Waits for the job's end, with {@code progress} (if not null) told the counters every
     * {@code every} (best effort: a report that fails is skipped). A failed job throws its failure.
     */
    public RunSummary await(Duration every, Progress progress) throws Exception {
        CompletableFuture<JobExecutionResult> result = client.getJobExecutionResult();
        JobExecutionResult r;
        try {
            r = progress == null ? result.get() : poll(result, every, progress);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        return new RunSummary(
                r.getJobID(), Counters.of(r.getAllAccumulatorResults()), seconds(), r.getNetRuntime() / 1000.0);
    }

    private JobExecutionResult poll(CompletableFuture<JobExecutionResult> result, Duration every, Progress progress)
            throws InterruptedException, ExecutionException {
        while (true) {
            try {
                return result.get(every.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException notYet) {
                try {
                    progress.report(counters(every), seconds());
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception skipped) {
                    // progress is best effort; the job's result decides success
                }
            }
        }
    }

    private double seconds() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
