package io.eventagg.pipeline;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;

/** The Flink settings every eventagg job runs with, whatever the deployment. */
public final class FlinkSettings {
    private FlinkSettings() {}

    /**
     * No Kryo anywhere (every type is a POJO, a record or has its own serializer), and object reuse
     * between chained operators (no operator keeps references to its inputs).
     */
    public static Configuration base(boolean streaming) {
        Configuration c = new Configuration();
        c.set(PipelineOptions.GENERIC_TYPES, false);
        c.set(PipelineOptions.OBJECT_REUSE, true);
        c.set(ExecutionOptions.RUNTIME_MODE, streaming ? RuntimeExecutionMode.STREAMING : RuntimeExecutionMode.BATCH);
        return c;
    }
}
