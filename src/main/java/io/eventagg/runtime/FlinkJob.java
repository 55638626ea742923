package io.eventagg.runtime;

import java.time.Duration;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A job defined on an environment and ready to run: the seam between what a job computes (a
 * function that adds it to an environment, e.g. with {@code EventaggPipeline.define}) and where it
 * runs (the {@link FlinkSettings} it is given). Every program, the refresh, tests and benchmarks
 * run their jobs through it, so waiting, progress and counters work the same everywhere.
 */
public final class FlinkJob {
    private final StreamExecutionEnvironment env;
    private final String name;

    private FlinkJob(StreamExecutionEnvironment env, String name) {
        this.env = env;
        this.name = name;
    }

    /**
     * Creates the environment with {@code flink} (a MiniCluster in this process, unless the program
     * was submitted to a cluster or runs in a test's context), lets {@code definition} add the job,
     * and builds its graph once, so that a setting Flink cannot use fails here, before the caller
     * writes anything (Flink reports those as {@link IllegalArgumentException}s).
     */
    public static FlinkJob define(Configuration flink, String name, Consumer<StreamExecutionEnvironment> definition) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        definition.accept(env);
        env.getExecutionPlan();
        return new FlinkJob(env, name);
    }

    /** Submits the job; the handle watches it. */
    public RunningJob start() throws Exception {
        long started = System.nanoTime();
        return new RunningJob(env.executeAsync(name), started);
    }

    /** Runs the job to its end. */
    public RunSummary run() throws Exception {
        return start().await(null, null);
    }

    /** Runs the job to its end, reporting its counters every {@code every} while it runs. */
    public RunSummary run(Duration every, RunningJob.Progress progress) throws Exception {
        return start().await(every, progress);
    }

    /**
     * Submits the job as the deployment says: on a cluster with {@code flink run -d} it returns once
     * the job is submitted, attached it returns when the job ends. For the long-running streaming
     * job, which has nothing to report.
     */
    public JobID submit() throws Exception {
        return env.execute(name).getJobID();
    }
}
