package io.eventagg.types;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LongBlocksTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 127, 128, 129, 1024, 5000})
    void sameBytesAsOneWriteLongPerValueAndReadsBack(int n) throws Exception {
        SplittableRandom random = new SplittableRandom(n);
        long[] values = new long[n];
        for (int i = 0; i < n; i++) values[i] = i % 7 == 0 ? Long.MIN_VALUE + i : random.nextLong();
        LongBlocks blocks = new LongBlocks();

        DataOutputSerializer block = new DataOutputSerializer(16);
        block.writeByte(42); // not aligned: the block starts anywhere in a record
        blocks.write(values, block);
        DataOutputSerializer oneByOne = new DataOutputSerializer(16);
        oneByOne.writeByte(42);
        for (long v : values) oneByOne.writeLong(v);
        assertThat(block.getCopyOfBuffer()).isEqualTo(oneByOne.getCopyOfBuffer());

        DataInputDeserializer in = new DataInputDeserializer(oneByOne.getCopyOfBuffer());
        assertThat(in.readByte()).isEqualTo((byte) 42);
        // the same instance again: its buffer, grown or not, must not leak into the values
        assertThat(blocks.read(in, n)).containsExactly(values);
        assertThat(in.available()).isZero();
    }
}
