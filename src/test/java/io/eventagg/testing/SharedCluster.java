package io.eventagg.testing;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResource;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The Flink MiniCluster of the test classes that run pipelines ({@code @ExtendWith(SharedCluster.class)}):
 * one TaskManager with two slots, started once for the whole test run instead of once per class,
 * and stopped when the run ends; its state backend is {@code $STATE_BACKEND}'s ({@link
 * Pipelines#stateBackend}). While a class runs, {@code StreamExecutionEnvironment
 * .getExecutionEnvironment()} submits to it; jobs a class leaves running are cancelled after it.
 * Its metrics go to {@link #metrics()} (kept after a job ends), which tests read by job id.
 */
public final class SharedCluster implements BeforeAllCallback, AfterAllCallback {
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();
    private static final int PARALLELISM = 2;

    /** The metrics of every job run on the cluster. */
    public static InMemoryReporter metrics() {
        return METRICS;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        MiniClusterResource cluster = context.getRoot()
                .getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(SharedCluster.class, k -> start(), Running.class)
                .cluster;
        TestStreamEnvironment.setAsContext(cluster.getMiniCluster(), PARALLELISM);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        TestStreamEnvironment.unsetAsContext();
        Running running =
                context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).get(SharedCluster.class, Running.class);
        if (running != null) running.cluster.cancelAllJobs();
    }

    private static Running start() {
        MiniClusterResource cluster = new MiniClusterResource(new MiniClusterResourceConfiguration.Builder()
                .setConfiguration(METRICS.addToConfiguration(Pipelines.withStateBackend(new Configuration())))
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(PARALLELISM)
                .build());
        try {
            cluster.before();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the test MiniCluster", e);
        }
        return new Running(cluster);
    }

    /** Stops the cluster when the test run ends (JUnit closes the root store's resources then). */
    private record Running(MiniClusterResource cluster) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            cluster.after();
        }
    }
}
