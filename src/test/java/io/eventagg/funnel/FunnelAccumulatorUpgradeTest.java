package io.eventagg.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.sketch.Sketches;
import io.eventagg.types.SerializerUpgradeTestBase;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** {@link FunnelAccumulator}, the funnels' entry-day window state. */
class FunnelAccumulatorUpgradeTest extends SerializerUpgradeTestBase<FunnelAccumulator> {

    static List<FunnelAccumulator> accumulators() {
        FunnelAccumulator small = FunnelAccumulator.empty(3, Sketches.DEFAULT_LG_K);
        small.add(new FunnelContribution(0, "production", 1_717_977_600_000L, 1, 11L, -1, -1));
        small.add(new FunnelContribution(0, "production", 1_717_977_600_000L, 2, 11L, 42_000, 42_000));
        small.add(new FunnelContribution(0, "production", 1_717_977_600_000L, 3, 11L, 3_600_000, 3_642_000));
        // A larger funnel in HLL mode (a small lgK keeps the fixture to a few KB).
        FunnelAccumulator large = FunnelAccumulator.empty(2, 8);
        Random r = new Random(26);
        for (int i = 0; i < 800; i++) {
            long user = r.nextLong();
            large.add(new FunnelContribution(2, "staging", 0L, 1, user, -1, -1));
            if (i % 3 == 0) {
                long ms = r.nextInt(86_400_000);
                large.add(new FunnelContribution(2, "staging", 0L, 2, user, ms, ms));
            }
        }
        return listOf(FunnelAccumulator.empty(4, Sketches.DEFAULT_LG_K), small, large);
    }

    @Override
    protected void assertSameValue(FunnelAccumulator actual, FunnelAccumulator expected) {
        assertThat(actual)
                .usingRecursiveComparison()
                .comparingOnlyFields(
                        "funnel",
                        "environment",
                        "contributions",
                        "previousCount",
                        "previousSumMs",
                        "startCount",
                        "startSumMs")
                .isEqualTo(expected);
        assertThat(actual.steps()).isEqualTo(expected.steps());
        for (int i = 0; i < expected.steps(); i++) {
            assertThat(Sketches.estimate(actual.users[i])).isEqualTo(Sketches.estimate(expected.users[i]));
            assertThat(Sketches.toBytes(actual.users[i])).isEqualTo(Sketches.toBytes(expected.users[i]));
            assertThat(Sketches.toBytes(actual.fromPrevious[i])).isEqualTo(Sketches.toBytes(expected.fromPrevious[i]));
            assertThat(Sketches.toBytes(actual.fromStart[i])).isEqualTo(Sketches.toBytes(expected.fromStart[i]));
        }
    }

    @Override
    protected String type() {
        return "funnel-accumulator";
    }

    @Override
    protected TypeSerializer<FunnelAccumulator> serializer() {
        return new FunnelAccumulator.Serializer();
    }

    @Override
    protected String currentFixture() {
        return "format-2";
    }

    @Override
    protected List<FunnelAccumulator> samples() {
        return accumulators();
    }

    @Override
    protected List<Fixture<FunnelAccumulator>> fixtures() {
        return List.of(
                // Written before the snapshots were versioned (SimpleTypeSerializerSnapshot): same layout.
                new Fixture<>("format-2-simple", Expect.AS_IS, accumulators()),
                new Fixture<>("format-2", Expect.AS_IS, accumulators()));
    }
}
