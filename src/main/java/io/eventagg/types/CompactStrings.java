package io.eventagg.types;

import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Strings on the wire for the hand-written serializers of per-event records: a length header, then
 * the characters as one block of bytes (Latin-1 when every character fits, which is nearly every
 * event name, id, timestamp and property value; UTF-16 code units otherwise). Flink's {@code StringValue}
 * encodes and decodes character by character through virtual calls, which made the exchange of
 * every event between subtasks one of the pipeline's largest costs.
 *
 * <p>An instance holds a scratch buffer and, per field slot, the last string it read, so that a
 * field whose value repeats from one record to the next (event name, environment, source file) is
 * handed out again instead of allocated: one instance per serializer instance, never shared
 * between threads.
 */
public final class CompactStrings {
    private static final int NULL = 0;
    private static final int LATIN1 = 1;
    private static final int UTF16 = 2;

    private byte[] scratch = new byte[256];
    private final String[] last;
    private final byte[][] lastBytes;
    private final int[] lastLength;
    private final int[] lastKind;

    /** @param slots how many fields remember their last value (see {@link #read(DataInputView, int)}) */
    public CompactStrings(int slots) {
        last = new String[slots];
        lastBytes = new byte[slots][];
        lastLength = new int[slots];
        lastKind = new int[slots];
    }

    public void write(String s, DataOutputView out) throws IOException {
        if (s == null) {
            out.writeByte(NULL);
            return;
        }
        int n = s.length();
        if (latin1(s, n)) {
            header(out, n, LATIN1);
            byte[] b = buffer(n);
            // Copies the low byte of each char; exact for Latin-1 strings, without an intermediate array.
            s.getBytes(0, n, b, 0);
            out.write(b, 0, n);
        } else {
            // UTF-16 code units, not UTF-8: lossless for every Java string, lone surrogates included.
            header(out, 2 * n, UTF16);
            byte[] b = buffer(2 * n);
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                b[2 * i] = (byte) (c >>> 8);
                b[2 * i + 1] = (byte) c;
            }
            out.write(b, 0, 2 * n);
        }
    }

    private static boolean latin1(String s, int n) {
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) > 0xFF) return false;
        }
        return true;
    }

    /** Length and encoding in one unsigned varint: (length << 2) | kind. */
    private static void header(DataOutputView out, int length, int kind) throws IOException {
        long v = ((long) length << 2) | kind;
        while (v >= 0x80) {
            out.writeByte((int) (v | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    private static long readHeader(DataInputView in) throws IOException {
        long v = 0;
        int shift = 0;
        int b;
        do {
            b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            shift += 7;
        } while (b >= 0x80);
        return v;
    }

    private byte[] buffer(int n) {
        if (scratch.length < n) scratch = new byte[Math.max(n, scratch.length * 2)];
        return scratch;
    }

    public String read(DataInputView in) throws IOException {
        long h = readHeader(in);
        int kind = (int) (h & 3);
        if (kind == NULL) return null;
        int n = (int) (h >>> 2);
        byte[] b = buffer(n);
        in.readFully(b, 0, n);
        return decode(b, n, kind);
    }

    /**
     * Reads a string, returning the very instance read last time in {@code slot} when the bytes are
     * the same (no allocation for values that repeat record after record).
     */
    public String read(DataInputView in, int slot) throws IOException {
        long h = readHeader(in);
        int kind = (int) (h & 3);
        if (kind == NULL) return null;
        int n = (int) (h >>> 2);
        byte[] b = buffer(n);
        in.readFully(b, 0, n);
        byte[] prev = lastBytes[slot];
        if (prev != null && lastLength[slot] == n && lastKind[slot] == kind && Arrays.equals(prev, 0, n, b, 0, n)) {
            return last[slot];
        }
        String s = decode(b, n, kind);
        if (n <= 1024) {
            if (prev == null || prev.length < n) prev = new byte[Math.max(n, 32)];
            System.arraycopy(b, 0, prev, 0, n);
            lastBytes[slot] = prev;
            lastLength[slot] = n;
            lastKind[slot] = kind;
            last[slot] = s;
        }
        return s;
    }

    private static final int INTERN_SLOTS = 512;
    private static final int INTERN_MAX_BYTES = 64;
    private String[] interned;
    private byte[][] internedBytes;
    private int[] internedKind;

    /**
     * Reads a string through a small table of recently read short strings (direct-mapped by a hash
     * of the bytes): for fields with a modest number of distinct values that do not repeat in a row
     * (breakdown values such as plans, countries, paths), which would otherwise be a new string
     * per record.
     */
    public String readInterned(DataInputView in) throws IOException {
        long h = readHeader(in);
        int kind = (int) (h & 3);
        if (kind == NULL) return null;
        int n = (int) (h >>> 2);
        byte[] b = buffer(n);
        in.readFully(b, 0, n);
        if (n > INTERN_MAX_BYTES) return decode(b, n, kind);
        if (interned == null) {
            interned = new String[INTERN_SLOTS];
            internedBytes = new byte[INTERN_SLOTS][];
            internedKind = new int[INTERN_SLOTS];
        }
        int hash = kind;
        for (int i = 0; i < n; i++) hash = 31 * hash + b[i];
        int slot = (hash ^ (hash >>> 16)) & (INTERN_SLOTS - 1);
        byte[] prev = internedBytes[slot];
        if (prev != null && prev.length == n && internedKind[slot] == kind && Arrays.equals(prev, 0, n, b, 0, n)) {
            return interned[slot];
        }
        String str = decode(b, n, kind);
        internedBytes[slot] = Arrays.copyOf(b, n);
        internedKind[slot] = kind;
        interned[slot] = str;
        return str;
    }

    @SuppressWarnings("deprecation")
    private static String decode(byte[] b, int n, int kind) throws IOException {
        if (kind == LATIN1) return new String(b, 0, 0, n);
        if (kind == UTF16) {
            char[] c = new char[n / 2];
            for (int i = 0; i < c.length; i++) c[i] = (char) (((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF));
            return new String(c);
        }
        throw new IOException("corrupt string header (kind " + kind + ")");
    }
}
