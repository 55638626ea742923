package io.eventagg.types;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes and reads arrays of longs as one block of bytes, in the layout of as many
 * {@code writeLong}/{@code readLong} calls (big-endian), through a scratch buffer. Partials carry
 * up to 1,024 user hashes; one call per long through {@link DataOutputView}, an interface with a
 * network and a sort-buffer implementation in the same job, was a sixth of the batch bucket
 * operator's time. Holds its buffer: one instance per serializer instance (per thread).
 */
public final class LongBlocks {
    private static final VarHandle BIG_ENDIAN_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] scratch = new byte[1024];

    private byte[] buffer(int bytes) {
        if (scratch.length < bytes) scratch = new byte[Math.max(bytes, scratch.length * 2)];
        return scratch;
    }

    /** Writes {@code values} (without their count). */
    public void write(long[] values, DataOutputView out) throws IOException {
        int bytes = values.length * Long.BYTES;
        byte[] b = buffer(bytes);
        for (int i = 0; i < values.length; i++) BIG_ENDIAN_LONG.set(b, i * Long.BYTES, values[i]);
        out.write(b, 0, bytes);
    }

    /** Reads {@code n} longs written by {@link #write} or by {@code n} calls of {@code writeLong}. */
    public long[] read(DataInputView in, int n) throws IOException {
        int bytes = n * Long.BYTES;
        byte[] b = buffer(bytes);
        in.readFully(b, 0, bytes);
        long[] values = new long[n];
        for (int i = 0; i < n; i++) values[i] = (long) BIG_ENDIAN_LONG.get(b, i * Long.BYTES);
        return values;
    }
}
