package io.eventagg.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventagg.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which settings each kind of run gets, and in which order the user's settings apply. */
class FlinkSettingsTest {
    @TempDir
    Path dir;

    @Test
    void localRunsAreTheBasePlusAMiniClusterSizedForTheParallelism() {
        Configuration c = FlinkSettings.local(false, 3);
        assertThat(c.get(PipelineOptions.GENERIC_TYPES)).isFalse();
        assertThat(c.get(PipelineOptions.OBJECT_REUSE)).isTrue();
        assertThat(c.get(ExecutionOptions.RUNTIME_MODE)).isEqualTo(RuntimeExecutionMode.BATCH);
        assertThat(c.get(CoreOptions.DEFAULT_PARALLELISM)).isEqualTo(3);
        assertThat(c.get(TaskManagerOptions.NUM_TASK_SLOTS)).isEqualTo(3);
        assertThat(FlinkSettings.local(true, 1).get(ExecutionOptions.RUNTIME_MODE))
                .isEqualTo(RuntimeExecutionMode.STREAMING);
    }

    @Test
    void clusterJobsApplyTheFileThenTheFlags() throws Exception {
        Path file = dir.resolve("flink.yaml");
        Files.writeString(
                file, "execution.checkpointing.interval: 7s\nparallelism.default: 8\nrestart-strategy.type: none\n");
        Configuration c = FlinkSettings.cluster(
                true, file, Duration.ofSeconds(5), Map.of("restart-strategy.type", "fixed-delay"), 2);
        assertThat(c.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("fixed-delay");
        assertThat(c.get(CoreOptions.DEFAULT_PARALLELISM)).isEqualTo(2);
        assertThat(c.get(ExecutionOptions.RUNTIME_MODE)).isEqualTo(RuntimeExecutionMode.STREAMING);
    }

    @Test
    void aRefreshOnAClusterGetsASmallRestartBudget() {
        Configuration c = FlinkSettings.cluster(false, null, null, Map.of(), null);
        assertThat(c.get(ExecutionOptions.RUNTIME_MODE)).isEqualTo(RuntimeExecutionMode.BATCH);
        assertThat(c.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("fixed-delay");
        assertThat(c.get(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS))
                .isEqualTo(2);
        assertThat(c.getOptional(CoreOptions.DEFAULT_PARALLELISM)).isEmpty();
        assertThat(FlinkSettings.cluster(false, null, null, Map.of("restart-strategy.fixed-delay.attempts", "4"), null)
                        .get(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS))
                .isEqualTo(4);
    }

    @Test
    void nestedYamlIsFlattened() throws Exception {
        Path f = dir.resolve("flink.yaml");
        Files.writeString(f, "execution:\n  checkpointing:\n    interval: 7s\npipeline.jars: [a, b]\n");
        assertThat(FlinkSettings.readFlat(f))
                .containsEntry("execution.checkpointing.interval", "7s")
                .containsEntry("pipeline.jars", "a;b");
    }

    @Test
    void aSettingsFileThatIsNotAMappingNamesTheFlag() throws Exception {
        Path f = dir.resolve("list.yaml");
        Files.writeString(f, "- a\n- b\n");
        assertThatThrownBy(() -> FlinkSettings.readFlat(f))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--flink-conf");
    }
}
