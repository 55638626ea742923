package io.eventagg.timeseries;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.TreeSet;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** {@link OpenBuckets} against a TreeSet, through its serializer at random points. */
class OpenBucketsTest {
    @Test
    void behavesLikeASortedSet() throws Exception {
        Random r = new Random(3);
        OpenBuckets.Serializer serializer = new OpenBuckets.Serializer();
        for (int round = 0; round < 200; round++) {
            OpenBuckets b = new OpenBuckets();
            TreeSet<Long> ref = new TreeSet<>();
            for (int op = 0; op < 300; op++) {
                if (r.nextInt(3) > 0) {
                    long s = r.nextInt(5) == 0
                            ? r.nextInt(100_000)
                            : (ref.isEmpty() ? 0 : ref.last()) + r.nextInt(50) - 10;
                    if (ref.contains(s)) continue;
                    boolean earliest = ref.isEmpty() || s < ref.first();
                    assertThat(b.add(s)).isEqualTo(earliest);
                    ref.add(s);
                } else if (!ref.isEmpty()) {
                    int n = r.nextInt(ref.size() + 1);
                    b.sort();
                    for (int i = 0; i < n; i++) assertThat(b.get(i)).isEqualTo(ref.pollFirst());
                    b.dropFirst(n);
                }
                if (r.nextInt(20) == 0) {
                    DataOutputSerializer out = new DataOutputSerializer(16);
                    serializer.serialize(b, out);
                    b = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
                }
                assertThat(b.size()).isEqualTo(ref.size());
                if (!ref.isEmpty()) assertThat(b.min()).isEqualTo(ref.first());
            }
        }
    }
}
