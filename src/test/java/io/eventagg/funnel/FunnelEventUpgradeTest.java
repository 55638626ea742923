package io.eventagg.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.types.CompactStrings;
import io.eventagg.types.SerializerUpgradeTestBase;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@link FunnelEvent} in CEP's state (buffered events of open attempts) and the gate's waiting
 * list: what savepoints of earlier releases hold still restores. Format 3 (varints, packed uuids)
 * replaced format 2 without renaming the operators' uids: state in format 2 is migrated on restore.
 */
class FunnelEventUpgradeTest extends SerializerUpgradeTestBase<FunnelEvent> {

    /** Events as the projection and the gate make them: generator-style ids, v4 uuids, kill triples. */
    static List<FunnelEvent> events() {
        return listOf(
                new FunnelEvent(
                        "production", "u1042", 1_718_000_000_123L, "3f1c2a9e-5b7d-4e21-9a0c-7d5e8b6f4a21", 1L, 0L),
                new FunnelEvent(
                        "production",
                        "u1042",
                        1_718_000_360_000L,
                        "b0e4f7d2-1c3a-4f5b-8e6d-2a9c7b1e0f34",
                        2L,
                        1L,
                        17,
                        new long[] {2, 1_717_990_000_000L, 1_717_990_000_001L}),
                new FunnelEvent("staging", "1000007", -5L, null, 4L, 0L, 0, null),
                new FunnelEvent("日本", "\uD800bot-3", 0L, "NOT-A-CANONICAL-UUID", 0L, 3L, 2_000_000_000, null),
                new FunnelEvent("", "", Long.MAX_VALUE, "6BA7B810-9DAD-11D1-80B4-00C04FD430C8", -1L, -1L, -1, null));
    }

    @Override
    protected String type() {
        return "funnel-event";
    }

    @Override
    protected TypeSerializer<FunnelEvent> serializer() {
        return new FunnelEventSerializer();
    }

    @Override
    protected String currentFixture() {
        return "format-3";
    }

    @Override
    protected List<FunnelEvent> samples() {
        return events();
    }

    @Override
    protected List<Fixture<FunnelEvent>> fixtures() {
        return List.of(
                // Before format 3, with a SimpleTypeSerializerSnapshot: rewritten in format 3 on restore.
                new Fixture<>("format-2-simple", Expect.AFTER_MIGRATION, events()),
                new Fixture<>("format-3", Expect.AS_IS, events()));
    }

    /** Format 2 as the serializer wrote it before format 3: the reference for reading and for sizes. */
    static byte[] format2(List<FunnelEvent> events) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        CompactStrings s = new CompactStrings(2);
        out.writeInt(events.size());
        for (FunnelEvent e : events) {
            out.writeByte(2);
            s.write(e.environment(), out);
            s.write(e.distinctId(), out);
            out.writeLong(e.timestamp());
            s.write(e.uuid(), out);
            out.writeLong(e.stepMask());
            out.writeLong(e.exclusionMask());
            out.writeInt(e.order());
            long[] kills = e.kills();
            out.writeShort(kills == null ? 0 : kills.length);
            if (kills != null) for (long k : kills) out.writeLong(k);
        }
        return out.getCopyOfBuffer();
    }

    @Test
    void theReferenceEncoderIsFormatTwoAsCommitted() throws IOException {
        assertThat(format2(events())).isEqualTo(data("format-2-simple"));
    }

    /**
     * Events as CEP buffers them per user: generator-style distinct ids, v4 uuids, one step bit,
     * the gate's order, a kill triple on some. Format 3 must read format 2 of each, and take at
     * most 60 % of its bytes (measured: about 53 %).
     */
    @Test
    void formatThreeIsAboutHalfOfFormatTwoOnRealisticEvents() throws IOException {
        Random r = new Random(26);
        List<FunnelEvent> events = new ArrayList<>();
        long t = 1_718_000_000_000L;
        for (int i = 0; i < 2_000; i++) {
            int user = r.nextInt(50_000);
            String id = r.nextInt(4) == 0 ? Integer.toString(1_000_000 + user) : "u" + user;
            t += r.nextInt(5_000);
            String uuid = new UUID(
                            r.nextLong() & ~0xF000L | 0x4000L, r.nextLong() & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L)
                    .toString();
            long[] kills = r.nextInt(5) == 0 ? new long[] {1 + r.nextInt(3), t - 3_600_000, t - 3_599_000} : null;
            events.add(new FunnelEvent(
                    r.nextInt(10) == 0 ? "staging" : "production",
                    id,
                    t,
                    uuid,
                    1L << r.nextInt(3),
                    r.nextInt(8) == 0 ? 1L : 0L,
                    r.nextInt(3),
                    kills));
        }
        byte[] v2 = format2(events);
        FunnelEventSerializer serializer = new FunnelEventSerializer();
        DataInputDeserializer in = new DataInputDeserializer(v2);
        in.readInt();
        DataOutputSerializer v3 = new DataOutputSerializer(v2.length);
        v3.writeInt(events.size());
        for (FunnelEvent e : events) {
            FunnelEvent back = serializer.deserialize(in);
            assertThat(back).usingRecursiveComparison().isEqualTo(e);
            serializer.serialize(back, v3);
        }
        double ratio = (double) v3.length() / v2.length;
        System.out.printf(
                "FunnelEvent, %d realistic events: format 2 %.1f bytes/event, format 3 %.1f (%.0f %%)%n",
                events.size(), (v2.length - 4.0) / events.size(), (v3.length() - 4.0) / events.size(), 100 * ratio);
        assertThat(ratio).isLessThan(0.6);
        DataInputDeserializer back = new DataInputDeserializer(v3.getCopyOfBuffer());
        back.readInt();
        for (FunnelEvent e : events)
            assertThat(serializer.deserialize(back)).usingRecursiveComparison().isEqualTo(e);
    }
}
