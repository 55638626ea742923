package io.eventagg.timeseries;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.sketch.Sketches;
import io.eventagg.types.SerializerUpgradeTestBase;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** {@link SeriesAccumulator}, the time-series bucket operator's per-bucket state. */
class SeriesAccumulatorUpgradeTest extends SerializerUpgradeTestBase<SeriesAccumulator> {

    static List<SeriesAccumulator> accumulators() {
        int lgK = Sketches.DEFAULT_LG_K;
        SeriesAccumulator event = SeriesAccumulator.empty(lgK, 3, 4);
        event.add(
                new SeriesPartial(
                        7L,
                        false,
                        "production",
                        "signup",
                        1_717_977_600_000L,
                        12,
                        DistinctIds.ofHashes(1L, 2L, 3L),
                        null,
                        new int[] {0, 0, 1, 2},
                        new String[] {"pro", "free", "日本", ""},
                        new long[] {7, 5, 12, 1},
                        new long[] {0, 2, 0}),
                lgK);
        SeriesAccumulator rollup = SeriesAccumulator.empty(lgK, 0, 1);
        rollup.add(
                new SeriesPartial(
                        9L,
                        true,
                        "staging",
                        null,
                        0L,
                        3,
                        DistinctIds.ofHashes(-4L),
                        DistinctIds.ofHashes(5L, 6L),
                        null,
                        null,
                        null,
                        null),
                lgK);
        // Many users: the union in HLL mode (a small lgK keeps the fixture to a few KB).
        SeriesAccumulator large = SeriesAccumulator.empty(8, 1, 3);
        Random r = new Random(26);
        for (int p = 0; p < 4; p++) {
            long[] users = new long[300];
            for (int i = 0; i < users.length; i++) users[i] = r.nextLong();
            large.add(
                    new SeriesPartial(
                            3L,
                            false,
                            "production",
                            "pageview",
                            60_000L,
                            users.length,
                            DistinctIds.ofHashes(users),
                            null,
                            new int[] {0},
                            new String[] {"/pricing"},
                            new long[] {users.length},
                            new long[] {0}),
                    8);
        }
        return listOf(event, rollup, large);
    }

    @Override
    protected void assertSameValue(SeriesAccumulator actual, SeriesAccumulator expected) {
        assertThat(actual)
                .usingRecursiveComparison()
                .comparingOnlyFields("rollup", "environment", "event", "count", "breakdowns")
                .isEqualTo(expected);
        assertThat(Sketches.estimate(actual.users)).isEqualTo(Sketches.estimate(expected.users));
        assertThat(Sketches.toBytes(actual.users)).isEqualTo(Sketches.toBytes(expected.users));
        assertThat(actual.sessions == null).isEqualTo(expected.sessions == null);
        if (expected.sessions != null) {
            assertThat(Sketches.toBytes(actual.sessions)).isEqualTo(Sketches.toBytes(expected.sessions));
        }
    }

    @Override
    protected String type() {
        return "series-accumulator";
    }

    @Override
    protected TypeSerializer<SeriesAccumulator> serializer() {
        return new SeriesAccumulator.Serializer();
    }

    @Override
    protected String currentFixture() {
        return "format-1";
    }

    @Override
    protected List<SeriesAccumulator> samples() {
        return accumulators();
    }

    @Override
    protected List<Fixture<SeriesAccumulator>> fixtures() {
        return List.of(
                // Written before the snapshots were versioned (SimpleTypeSerializerSnapshot): same layout.
                new Fixture<>("format-1-simple", Expect.AS_IS, accumulators()),
                new Fixture<>("format-1", Expect.AS_IS, accumulators()));
    }
}
