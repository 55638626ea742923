package io.eventagg.timeseries;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.sketch.Sketches;
import io.eventagg.types.SerializerUpgradeTestBase;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** {@link SeriesAccumulator}, the time-series bucket operator's per-bucket state. */
class SeriesAccumulatorUpgradeTest extends SerializerUpgradeTestBase<SeriesAccumulator> {

    /** Format 1's samples: breakdowns without their values' users. */
    static List<SeriesAccumulator> accumulators() {
        return accumulators(false);
    }

    /** @param users whether breakdown values keep their users (format 2) */
    static List<SeriesAccumulator> accumulators(boolean users) {
        int lgK = Sketches.DEFAULT_LG_K;
        SeriesAccumulator event = SeriesAccumulator.empty(lgK, 3, 4, users ? lgK : 0);
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
                        new long[] {0, 2, 0},
                        users
                                ? new DistinctIds[] {
                                    DistinctIds.ofHashes(1L, 2L),
                                    DistinctIds.ofHashes(3L),
                                    null,
                                    DistinctIds.ofHashes(2L)
                                }
                                : null,
                        users ? new DistinctIds[] {null, DistinctIds.ofHashes(9L), null} : null),
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
        SeriesAccumulator large = SeriesAccumulator.empty(8, 1, 3, users ? 8 : 0);
        Random r = new Random(26);
        for (int p = 0; p < 4; p++) {
            long[] ids = new long[300];
            for (int i = 0; i < ids.length; i++) ids[i] = r.nextLong();
            large.add(
                    new SeriesPartial(
                            3L,
                            false,
                            "production",
                            "pageview",
                            60_000L,
                            ids.length,
                            DistinctIds.ofHashes(ids),
                            null,
                            new int[] {0},
                            new String[] {"/pricing"},
                            new long[] {ids.length},
                            new long[] {0},
                            users ? new DistinctIds[] {DistinctIds.ofHashes(ids)} : null,
                            null),
                    8);
        }
        return listOf(event, rollup, large);
    }

    @Override
    protected void assertSameValue(SeriesAccumulator actual, SeriesAccumulator expected) {
        assertThat(actual)
                .usingRecursiveComparison()
                .comparingOnlyFields("rollup", "environment", "event", "count", "breakdowns")
                .ignoringFields("breakdowns.users", "breakdowns.overflowUsers")
                .isEqualTo(expected);
        BreakdownCounts a = actual.breakdowns, e = expected.breakdowns;
        assertThat(a.hasUsers()).isEqualTo(e.hasUsers());
        for (int k = 0; k < e.keys(); k++) {
            assertThat(sketch(a.overflowUsers(k))).isEqualTo(sketch(e.overflowUsers(k)));
            for (int i = 0; i < e.size(k); i++)
                assertThat(sketch(a.users(k, i))).isEqualTo(sketch(e.users(k, i)));
        }
        assertThat(Sketches.estimate(actual.users)).isEqualTo(Sketches.estimate(expected.users));
        assertThat(Sketches.toBytes(actual.users)).isEqualTo(Sketches.toBytes(expected.users));
        assertThat(actual.sessions == null).isEqualTo(expected.sessions == null);
        if (expected.sessions != null) {
            assertThat(Sketches.toBytes(actual.sessions)).isEqualTo(Sketches.toBytes(expected.sessions));
        }
    }

    private static byte[] sketch(DistinctIds.Collector c) {
        return c == null ? null : c.sketch();
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
        return "format-2";
    }

    @Override
    protected List<SeriesAccumulator> samples() {
        return accumulators(true);
    }

    @Override
    protected List<Fixture<SeriesAccumulator>> fixtures() {
        return List.of(
                // Written before the snapshots were versioned (SimpleTypeSerializerSnapshot): format 1.
                new Fixture<>("format-1-simple", Expect.AFTER_MIGRATION, accumulators()),
                new Fixture<>("format-1", Expect.AFTER_MIGRATION, accumulators()),
                // Breakdown values keep their users.
                new Fixture<>("format-2", Expect.AS_IS, accumulators(true)));
    }
}
