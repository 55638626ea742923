package io.eventagg.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.types.CompactStrings;
import java.util.Arrays;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@link FunnelEvent} as CEP's state and the exchanges hold it: the current format carries the
 * gate's order and kill list; format 1 (CEP state written before the gate existed) still reads, as
 * an event without them (format 2: {@link FunnelEventUpgradeTest}).
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
        // Format 1: the fields of format 2 without the order and the kill list.
        DataOutputSerializer out = new DataOutputSerializer(64);
        CompactStrings s = new CompactStrings(2);
        out.writeByte(1);
        s.write(e.environment(), out);
        s.write(e.distinctId(), out);
        out.writeLong(e.timestamp());
        s.write(e.uuid(), out);
        out.writeLong(e.stepMask());
        out.writeLong(e.exclusionMask());
        FunnelEvent back = new FunnelEventSerializer().deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
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
