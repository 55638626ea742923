package io.eventagg.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.types.CompactStrings;
import io.eventagg.types.CustomTypeInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The hand-written serializers of the per-event records and their string encoding: every kind of
 * string survives (null, empty, Latin-1 above ASCII, other scripts, lone surrogates, long ones),
 * repeated values come back as the same instance, and a stream of mixed records reads back in order.
 */
class EventSerializersTest {
    private static final String[] SAMPLES = {
        null,
        "",
        "a",
        "production",
        "ÿé\u00a0",
        "日本語",
        "\uD83D\uDE00",
        "\uD800",
        "x\u0000y",
        "\"quoted\",\n\\",
        "a".repeat(300),
        "é".repeat(5000) + "日"
    };

    @Test
    void everyStringRoundTripsWithAndWithoutASlot() throws Exception {
        CompactStrings w = new CompactStrings(1);
        DataOutputSerializer out = new DataOutputSerializer(64);
        Random r = new Random(5);
        List<String> written = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            String s = SAMPLES[r.nextInt(SAMPLES.length)];
            written.add(s);
            w.write(s, out);
        }
        CompactStrings plain = new CompactStrings(1);
        CompactStrings slotted = new CompactStrings(1);
        CompactStrings interning = new CompactStrings(1);
        DataInputDeserializer a = new DataInputDeserializer(out.getCopyOfBuffer());
        DataInputDeserializer b = new DataInputDeserializer(out.getCopyOfBuffer());
        DataInputDeserializer c = new DataInputDeserializer(out.getCopyOfBuffer());
        for (String s : written) {
            assertThat(plain.read(a)).isEqualTo(s);
            assertThat(slotted.read(b, 0)).isEqualTo(s);
            assertThat(interning.readInterned(c)).isEqualTo(s);
        }
        assertThat(a.available()).isZero();
        assertThat(c.available()).isZero();
    }

    @Test
    void aRepeatedValueIsTheSameInstanceAndAChangedOneIsNot() throws Exception {
        CompactStrings w = new CompactStrings(1);
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (String s : new String[] {"pageview", "pageview", "pagevieW", "pageview", "ÿ", "\u00ff"}) w.write(s, out);
        CompactStrings r = new CompactStrings(1);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        String first = r.read(in, 0);
        assertThat(r.read(in, 0)).isSameAs(first);
        assertThat(r.read(in, 0)).isEqualTo("pagevieW");
        String again = r.read(in, 0);
        assertThat(again).isEqualTo("pageview").isNotSameAs(first);
        assertThat(r.read(in, 0)).isEqualTo("ÿ");
        assertThat(r.read(in, 0)).isEqualTo("\u00ff");
    }

    @Test
    void internedShortStringsAreSharedAcrossRecords() throws Exception {
        CompactStrings w = new CompactStrings(0);
        DataOutputSerializer out = new DataOutputSerializer(64);
        String[] values = {"free", "pro", "team", "/pricing", "DE", "日本"};
        for (int i = 0; i < 60; i++) w.write(values[i % values.length], out);
        CompactStrings r = new CompactStrings(0);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        String[] first = new String[values.length];
        for (int i = 0; i < 60; i++) {
            String s = r.readInterned(in);
            assertThat(s).isEqualTo(values[i % values.length]);
            if (i < values.length) first[i] = s;
            else assertThat(s).isSameAs(first[i % values.length]);
        }
    }

    private static Event event(Random r, int i) {
        String[] values = new String[3];
        byte[] kinds = new byte[3];
        for (int k = 0; k < 3; k++) {
            values[k] = SAMPLES[r.nextInt(SAMPLES.length)];
            kinds[k] = (byte) r.nextInt(5);
        }
        return new Event(
                r.nextBoolean() ? null : "uuid-" + i,
                r.nextBoolean() ? "pageview" : "日本",
                "u" + r.nextInt(10),
                r.nextLong(),
                r.nextBoolean() ? "production" : "staging",
                r.nextBoolean() ? null : "s" + i,
                r.nextBoolean() ? null : "{\"plan\":\"pro\"}",
                values,
                kinds,
                "/data/events-" + r.nextInt(2) + ".jsonl",
                r.nextInt(3) - 1,
                r.nextLong());
    }

    @Test
    void eventsAndDeadLettersRoundTripInOrder() throws Exception {
        TypeInformation<Ingested> info = TypeInformation.of(Ingested.class);
        assertThat(info).isInstanceOf(CustomTypeInfo.class);
        assertThat(TypeInformation.of(Event.class)).isInstanceOf(CustomTypeInfo.class);
        TypeSerializer<Ingested> writer = info.createSerializer(new SerializerConfigImpl());
        TypeSerializer<Ingested> reader = writer.duplicate();
        assertThat(reader).as("stateful: one instance per thread").isNotSameAs(writer);
        Random r = new Random(11);
        List<Ingested> records = new ArrayList<>();
        DataOutputSerializer out = new DataOutputSerializer(256);
        for (int i = 0; i < 500; i++) {
            Ingested rec = r.nextInt(10) == 0
                    ? Ingested.dead(new DeadLetter(
                            "topic", 3, i, "invalid JSON: x", SAMPLES[r.nextInt(SAMPLES.length)] + "", 77))
                    : Ingested.of(event(r, i));
            records.add(rec);
            writer.serialize(rec, out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        for (Ingested expected : records) {
            assertThat(reader.deserialize(in)).usingRecursiveComparison().isEqualTo(expected);
        }
        assertThat(in.available()).isZero();
        assertThat(writer.copy(records.get(1))).usingRecursiveComparison().isEqualTo(records.get(1));
    }
}
