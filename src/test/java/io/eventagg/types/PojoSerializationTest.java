package io.eventagg.types;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.funnel.FunnelEvent;
import io.eventagg.funnel.FunnelReach;
import io.eventagg.ingest.DeadLetter;
import io.eventagg.ingest.Event;
import io.eventagg.ingest.Ingested;
import io.eventagg.ingest.LateEvent;
import io.eventagg.pipeline.ProgressRow;
import io.eventagg.retention.RetentionDelta;
import io.eventagg.retention.RetentionEvent;
import io.eventagg.timeseries.DistinctIds;
import io.eventagg.timeseries.SeriesPartial;
import io.eventagg.timeseries.SeriesRow;
import java.util.stream.Stream;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guards that every record flowing between operators is a Flink POJO or has a serializer of its own
 * (SeriesPartial, through {@code @TypeInfo}): no Kryo fallback, as the jobs run with generic types
 * disabled; and that it survives a serialization round trip intact.
 */
class PojoSerializationTest {

    static Event event() {
        return new Event(
                "u-1",
                "signup",
                "user-1",
                1_705_329_165_000L,
                "production",
                "s1",
                "{\"plan\":\"pro\"}",
                new String[] {"pro", null},
                new byte[] {1, 0},
                "/data/x.jsonl",
                -1,
                7);
    }

    static Stream<Arguments> records() {
        Event e = event();
        DeadLetter d = new DeadLetter("topic", 3, 99, "invalid JSON", "{", 1);
        return Stream.of(
                Arguments.of(Event.class, e),
                Arguments.of(DeadLetter.class, d),
                Arguments.of(Ingested.class, Ingested.of(e)),
                Arguments.of(Ingested.class, Ingested.dead(d)),
                Arguments.of(LateEvent.class, new LateEvent(e, 123L)),
                Arguments.of(
                        SeriesPartial.class,
                        new SeriesPartial(
                                42L,
                                false,
                                "production",
                                "signup",
                                1000L,
                                5,
                                DistinctIds.ofHashes(7L, 8L),
                                DistinctIds.ofSketch(new byte[] {1, 2}),
                                new int[] {0},
                                new String[] {"pro"},
                                new long[] {5},
                                new long[] {0, 0})),
                Arguments.of(
                        SeriesRow.class,
                        new SeriesRow(
                                true,
                                "production",
                                null,
                                "day",
                                0L,
                                10,
                                3,
                                new byte[] {9},
                                2,
                                new byte[] {8},
                                null,
                                true,
                                21,
                                null)),
                Arguments.of(
                        SeriesRow.class,
                        new SeriesRow(
                                false,
                                "production",
                                "purchase",
                                "hour",
                                3_600_000L,
                                4,
                                2,
                                new byte[] {9},
                                0,
                                null,
                                "{\"plan\":{\"pro\":4}}",
                                false,
                                7,
                                "{\"plan\":{\"pro\":\"AgEHDg\"}}")),
                Arguments.of(ProgressRow.class, new ProgressRow(42L)),
                Arguments.of(FunnelEvent.class, new FunnelEvent("production", "user-1", 5L, null, 3L, 1L)),
                Arguments.of(FunnelEvent.class, new FunnelEvent("日本", "\uD800", -5L, "u-1", 0L, 0L)),
                Arguments.of(FunnelReach.class, new FunnelReach(1, "production", "user-1", 2, 1L, 3L, 2L)),
                Arguments.of(RetentionEvent.class, new RetentionEvent("production", "user-1", 9L, 1L, 2L)),
                Arguments.of(RetentionDelta.class, new RetentionDelta(0, "production", 86_400_000L, -1, 5L)));
    }

    @ParameterizedTest
    @MethodSource("records")
    <T> void isPojoAndRoundTrips(Class<T> type, T value) throws Exception {
        TypeInformation<T> info = TypeInformation.of(type);
        assertThat(info)
                .as(type.getSimpleName() + " must be analysed as a POJO or have a serializer of its own")
                .isInstanceOfAny(PojoTypeInfo.class, CustomTypeInfo.class);

        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        TypeSerializer<T> serializer = info.createSerializer(config);

        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(value, out);
        T back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back).usingRecursiveComparison().isEqualTo(value);
        assertThat(serializer.copy(value)).usingRecursiveComparison().isEqualTo(value);
    }

    @ParameterizedTest
    @MethodSource("records")
    <T> void createsSerializerWithGenericTypesDisabled(Class<T> type, T value) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        ExecutionConfig config = new ExecutionConfig();
        config.configure(conf, getClass().getClassLoader());
        assertThat(config.getSerializerConfig().hasGenericTypesDisabled()).isTrue();
        assertThat(TypeInformation.of(type).createSerializer(config.getSerializerConfig()))
                .isNotNull();
    }
}
