package io.eventagg.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@link FunnelEvent} as CEP's state and the exchanges hold it: format 2 carries the gate's order
 * and kill list; format 1 (CEP state written before the gate existed) still reads, as an event
 * without them.
 */
class FunnelEventSerializerTest {
    @Test
    void roundTripsOrderAndKills() throws Exception {
        FunnelEvent e = new FunnelEvent(
                "production", "u1", 1_700_000_000_000L, "uuid-1", 5L, 2L, 42, new long[] {2, 100, 200, 3, 300, 400});
        FunnelEvent back = roundTrip(e);
        assertThat(back.order()).isEqualTo(42);
        assertThat(back.kills()).containsExactly(2, 100, 200, 3, 300, 400);
        assertThat(Arrays.asList(back.environment(), back.distinctId(), back.uuid()))
                .containsExactly("production", "u1", "uuid-1");
        assertThat(back.timestamp()).isEqualTo(e.timestamp());
        assertThat(back.stepMask()).isEqualTo(5L);
        assertThat(back.exclusionMask()).isEqualTo(2L);
        assertThat(roundTrip(new FunnelEvent("p", "u", 1L, null, 1L, 0L)).kills())
                .isNull();
    }

    @Test
    void readsFormatOneWrittenBeforeTheGate() throws Exception {
        FunnelEvent e = new FunnelEvent("production", "u1", 1_700_000_000_000L, "uuid-1", 5L, 2L);
        DataOutputSerializer out = new DataOutputSerializer(64);
        new FunnelEventSerializer().serialize(e, out);
        // Format 1 is format 2 without the trailing order (int) and kill count (short 0).
        byte[] v2 = out.getCopyOfBuffer();
        byte[] v1 = Arrays.copyOf(v2, v2.length - 6);
        assertThat(v2[0]).isEqualTo((byte) 2);
        v1[0] = 1;
        FunnelEvent back = new FunnelEventSerializer().deserialize(new DataInputDeserializer(v1));
        assertThat(back).isEqualTo(e);
        assertThat(back.order()).isZero();
        assertThat(back.kills()).isNull();
    }

    static FunnelEvent roundTrip(FunnelEvent e) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        new FunnelEventSerializer().serialize(e, out);
        return new FunnelEventSerializer().deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }
}
