package io.eventagg.timeseries;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.types.SerializerUpgradeTestBase;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** {@link OpenBuckets}, the time-series bucket operator's per-key index of open buckets. */
class OpenBucketsUpgradeTest extends SerializerUpgradeTestBase<OpenBuckets> {

    static List<OpenBuckets> buckets() {
        OpenBuckets unsorted = new OpenBuckets();
        for (long s : new long[] {1_717_977_660_000L, 1_717_977_600_000L, 1_717_977_720_000L}) unsorted.add(s);
        OpenBuckets days = new OpenBuckets();
        for (int d = 0; d < 9; d++) days.add(1_717_977_600_000L + d * 86_400_000L);
        return listOf(new OpenBuckets(), unsorted, days);
    }

    private static List<Long> starts(OpenBuckets b) {
        List<Long> s = new ArrayList<>();
        for (int i = 0; i < b.size(); i++) s.add(b.get(i));
        return s;
    }

    @Override
    protected void assertSameValue(OpenBuckets actual, OpenBuckets expected) {
        assertThat(starts(actual)).isEqualTo(starts(expected));
        if (!expected.isEmpty()) assertThat(actual.min()).isEqualTo(expected.min());
    }

    @Override
    protected String type() {
        return "open-buckets";
    }

    @Override
    protected TypeSerializer<OpenBuckets> serializer() {
        return new OpenBuckets.Serializer();
    }

    @Override
    protected String currentFixture() {
        return "format-1";
    }

    @Override
    protected List<OpenBuckets> samples() {
        return buckets();
    }

    @Override
    protected List<Fixture<OpenBuckets>> fixtures() {
        return List.of(
                // Written before the snapshots were versioned (SimpleTypeSerializerSnapshot): same layout.
                new Fixture<>("format-1-simple", Expect.AS_IS, buckets()),
                new Fixture<>("format-1", Expect.AS_IS, buckets()));
    }
}
