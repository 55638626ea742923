package io.eventagg.timeseries;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.time.Granularity;
import io.eventagg.types.CustomTypeInfo;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** {@link SeriesPartial}'s own serializer: what {@code TypeInformation.of} picks, and a field-by-field round trip. */
class SeriesPartialSerializerTest {
    private static SeriesPartial roundTrip(SeriesPartial p) throws Exception {
        TypeSerializer<SeriesPartial> s =
                TypeInformation.of(SeriesPartial.class).createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(64);
        s.serialize(p, out);
        s.serialize(p, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());
        s.deserialize(in);
        SeriesPartial back = s.deserialize(in);
        assertThat(in.available()).isZero();
        return back;
    }

    @Test
    void typeInformationIsTheCustomSerializer() {
        assertThat(TypeInformation.of(SeriesPartial.class)).isInstanceOf(CustomTypeInfo.class);
    }

    @Test
    void eventSeriesWithBreakdownsRoundTrips() throws Exception {
        long key = SeriesKeys.key(SeriesKeys.seriesHash(false, "production", "signup"), Granularity.MONTH, 0);
        SeriesPartial p = new SeriesPartial(
                key,
                false,
                "production",
                "signup",
                1_700_000_000_000L,
                42,
                DistinctIds.ofSketch(new byte[] {1, 2, 3}),
                null,
                new int[] {0, 2, 300},
                new String[] {"pro", "", "日本\u0000\"x"},
                new long[] {3, 4, 5},
                new long[] {0, 7, 1});
        SeriesPartial back = roundTrip(p);
        assertThat(back).usingRecursiveComparison().isEqualTo(p);
        assertThat(back.granularity()).isEqualTo(Granularity.MONTH);
    }

    @Test
    void rollupWithoutBreakdownsRoundTrips() throws Exception {
        SeriesPartial p = new SeriesPartial(
                -1L,
                true,
                "staging",
                null,
                -60_000L,
                1,
                DistinctIds.ofHashes(0L, -5L, Long.MAX_VALUE),
                DistinctIds.ofHashes(),
                null,
                null,
                null,
                null);
        assertThat(roundTrip(p)).usingRecursiveComparison().isEqualTo(p);
        SeriesPartial empty = new SeriesPartial(
                0, false, "e", "x", 0, 0, null, null, new int[0], new String[0], new long[0], new long[0]);
        assertThat(roundTrip(empty)).usingRecursiveComparison().isEqualTo(empty);
    }
}
