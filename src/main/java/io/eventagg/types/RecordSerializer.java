package io.eventagg.types;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Base for the serializers of small per-event records that cross exchanges (funnel and retention
 * views of events): fields written by hand, strings through {@link CompactStrings}. Stateful (a
 * scratch buffer, the last strings read), so {@link #duplicate()} gives every thread its own.
 * Subclasses provide a snapshot class with a public no-argument constructor (restores create it
 * by name).
 */
public abstract class RecordSerializer<T> extends CompactSerializer<T> {
    private static final long serialVersionUID = 1L;
    private final int slots;
    private transient CompactStrings strings;

    protected RecordSerializer(int slots) {
        this.slots = slots;
    }

    protected final CompactStrings strings() {
        if (strings == null) strings = new CompactStrings(slots);
        return strings;
    }

    protected abstract void write(T value, DataOutputView out, CompactStrings s) throws IOException;

    protected abstract T read(DataInputView in, CompactStrings s) throws IOException;

    /** A new instance of the concrete serializer (for {@link #duplicate} and the snapshot). */
    protected abstract RecordSerializer<T> fresh();

    @Override
    protected final void write(T value, DataOutputView out) throws IOException {
        write(value, out, strings());
    }

    @Override
    protected final T read(DataInputView in) throws IOException {
        return read(in, strings());
    }

    @Override
    public TypeSerializer<T> duplicate() {
        return fresh();
    }
}
