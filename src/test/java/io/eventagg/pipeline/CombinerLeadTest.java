package io.eventagg.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.RunOptions;
import org.junit.jupiter.api.Test;

/** The time-series combiner's lead before each emission tick follows the network buffer timeout. */
class CombinerLeadTest {
    @Test
    void theDefaultLeadCoversTwoDefaultBufferTimeouts() {
        long lead = RunOptions.streamingDefaults().combinerLeadMs();
        assertThat(EventaggPipeline.combinerLead(lead, 100)).isEqualTo(lead).isEqualTo(250);
    }

    @Test
    void aLongerBufferTimeoutLengthensTheLead() {
        assertThat(EventaggPipeline.combinerLead(250, 500)).isEqualTo(1050);
    }

    @Test
    void withoutATimeoutTheLeadStays() {
        assertThat(EventaggPipeline.combinerLead(250, -1)).isEqualTo(250);
        assertThat(EventaggPipeline.combinerLead(250, 0))
                .as("every record sent at once")
                .isEqualTo(250);
    }
}
