package io.eventagg.types;

import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;

/**
 * Variable-length integers (7 bits a byte, low bits first, high bit set on every byte but the
 * last): small values in one byte, a millisecond timestamp of this century in six. Written into a
 * caller's buffer so that a record's fields reach the output in one call; read byte by byte.
 */
public final class VarInts {
    private VarInts() {}

    /** The most bytes one value takes. */
    public static final int MAX_BYTES = 10;

    /** Puts {@code v} as an unsigned value at {@code pos}; returns the position after it. */
    public static int putUnsigned(byte[] b, int pos, long v) {
        while ((v & ~0x7FL) != 0) {
            b[pos++] = (byte) (v | 0x80);
            v >>>= 7;
        }
        b[pos++] = (byte) v;
        return pos;
    }

    /** Puts {@code v} zigzag-encoded (small negative values stay small). */
    public static int putSigned(byte[] b, int pos, long v) {
        return putUnsigned(b, pos, (v << 1) ^ (v >> 63));
    }

    public static long readUnsigned(DataInputView in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int x = in.readUnsignedByte();
            v |= (long) (x & 0x7F) << shift;
            if (x < 0x80) return v;
        }
        throw new IOException("corrupt variable-length integer (more than " + MAX_BYTES + " bytes)");
    }

    public static long readSigned(DataInputView in) throws IOException {
        long z = readUnsigned(in);
        return (z >>> 1) ^ -(z & 1);
    }
}
