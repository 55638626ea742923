package io.eventagg.funnel;

import io.eventagg.types.SerializerUpgradeTestBase;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * {@link FunnelEvent} in CEP's state (buffered events of open attempts) and the gate's waiting
 * list: what savepoints of earlier releases hold still restores.
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
        return "format-2-simple";
    }

    @Override
    protected List<FunnelEvent> samples() {
        return events();
    }

    @Override
    protected List<Fixture<FunnelEvent>> fixtures() {
        return List.of(new Fixture<>("format-2-simple", Expect.AS_IS, events()));
    }
}
