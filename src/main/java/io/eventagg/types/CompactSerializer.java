package io.eventagg.types;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Base for the hand-written serializers of state objects that hold sketches (which Flink cannot
 * analyse as POJOs and must never hand to Kryo). Subclasses only read and write; copying goes
 * through the binary form, which is also what a checkpoint would store.
 *
 * <p>The binary layout of a type kept in state starts with a format byte, so that a later layout
 * can still read state written by this one; the serializer's snapshot ({@link FormatSnapshot})
 * records the format, so that a restore knows whether the state needs rewriting. See
 * docs/operations.md, "Upgrades and savepoints".
 */
public abstract class CompactSerializer<T> extends TypeSerializer<T> {
    private static final long serialVersionUID = 1L;

    protected abstract void write(T value, DataOutputView out) throws IOException;

    protected abstract T read(DataInputView in) throws IOException;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<T> duplicate() {
        return this;
    }

    @Override
    public T copy(T from) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(256);
            write(from, out);
            return read(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot copy " + from.getClass().getSimpleName(), e);
        }
    }

    @Override
    public T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(T record, DataOutputView target) throws IOException {
        write(record, target);
    }

    @Override
    public T deserialize(DataInputView source) throws IOException {
        return read(source);
    }

    @Override
    public T deserialize(T reuse, DataInputView source) throws IOException {
        return read(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        write(read(source), target);
    }

    @Override
    public boolean equals(Object obj) {
        return obj != null && obj.getClass() == getClass();
    }

    @Override
    public int hashCode() {
        return getClass().hashCode();
    }

    protected static void writeBytes(byte[] b, DataOutputView out) throws IOException {
        if (b == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(b.length);
            out.write(b);
        }
    }

    protected static byte[] readBytes(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) return null;
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /** UTF-8 with an int length: unlike writeUTF, no 64 KiB limit. Null is length -1. */
    protected static void writeNullableString(String s, DataOutputView out) throws IOException {
        writeBytes(s == null ? null : s.getBytes(StandardCharsets.UTF_8), out);
    }

    protected static String readNullableString(DataInputView in) throws IOException {
        byte[] b = readBytes(in);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
