package io.eventagg.types;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.util.function.SerializableSupplier;

/**
 * The snapshot of a hand-written serializer, as a checkpoint or savepoint stores it next to the
 * state: which format (binary layout) of the type the state was written in. A restore compares it
 * with the format of the running code: the same format is compatible as is; an older one that the
 * running serializer still reads is compatible after migration (Flink reads the state with the
 * restored serializer and writes it again in the current format: the RocksDB and ForSt backends at
 * restore, the heap backend at the next checkpoint); a format newer than the running code knows,
 * or one it no longer reads, fails the restore with a message that says so.
 *
 * <p>Versions of the snapshot itself: 2 and 3 are what {@code SimpleTypeSerializerSnapshot} wrote
 * (until the serializers recorded their format; the snapshot classes kept their names), which
 * stands for the type's format of that time ({@code legacyFormat}); 4 adds the format as an int.
 *
 * <p>Subclasses are the serializers' {@code Snapshot} classes, with a public no-argument
 * constructor: a restore instantiates them by class name, so a snapshot class is never renamed.
 */
public abstract class FormatSnapshot<T> implements TypeSerializerSnapshot<T> {
    /** Written by {@code SimpleTypeSerializerSnapshot} before Flink 1.8 (with the serializer's class name). */
    private static final int SIMPLE_WITH_CLASS_NAME = 2;
    /** Written by {@code SimpleTypeSerializerSnapshot}: no content. */
    private static final int SIMPLE = 3;
    /** The current version: the format as an int. */
    public static final int VERSION = 4;

    private final String type;
    private final int currentFormat;
    private final int oldestFormat;
    private final int legacyFormat;
    private final SerializableSupplier<? extends TypeSerializer<T>> serializer;
    private int format;

    /**
     * @param type the type's name, for messages
     * @param currentFormat the format the running serializer writes
     * @param oldestFormat the oldest format it still reads
     * @param legacyFormat the format of the state that a {@code SimpleTypeSerializerSnapshot} of this
     *     class describes (the type's format when the snapshots became versioned)
     * @param serializer a serializer that reads every format from {@code oldestFormat} on (a type
     *     with more than one format starts each value with its format byte) and writes the current one
     */
    protected FormatSnapshot(
            String type,
            int currentFormat,
            int oldestFormat,
            int legacyFormat,
            SerializableSupplier<? extends TypeSerializer<T>> serializer) {
        this.type = type;
        this.currentFormat = currentFormat;
        this.oldestFormat = oldestFormat;
        this.legacyFormat = legacyFormat;
        this.serializer = serializer;
        this.format = currentFormat;
    }

    /** The format of the state this snapshot describes. */
    public final int format() {
        return format;
    }

    @Override
    public final int getCurrentVersion() {
        return VERSION;
    }

    @Override
    public final void writeSnapshot(DataOutputView out) throws IOException {
        out.writeInt(format);
    }

    @Override
    public final void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) throws IOException {
        switch (readVersion) {
            case SIMPLE_WITH_CLASS_NAME -> {
                in.readUTF();
                format = legacyFormat;
            }
            case SIMPLE -> format = legacyFormat;
            case VERSION -> format = checkFormat(in.readInt());
            default ->
                throw new IOException(("The state of %s was written with serializer snapshot version %d, which"
                                + " this eventagg release does not know (it reads versions %d to %d): the savepoint or"
                                + " checkpoint comes from a newer release. Restore it with that release or a later one.")
                        .formatted(type, readVersion, SIMPLE_WITH_CLASS_NAME, VERSION));
        }
    }

    private int checkFormat(int written) throws IOException {
        if (written > currentFormat) {
            throw new IOException(("The state of %s was written in format %d by a newer eventagg release; this"
                            + " release reads formats %d to %d. Restore the savepoint with that release or a later"
                            + " one.")
                    .formatted(type, written, oldestFormat, currentFormat));
        }
        if (written < oldestFormat) {
            throw new IOException(("The state of %s was written in format %d, which this eventagg release no"
                            + " longer reads (formats %d to %d): restore the savepoint with an earlier release"
                            + " first, take a new savepoint, then upgrade.")
                    .formatted(type, written, oldestFormat, currentFormat));
        }
        return written;
    }

    @Override
    public final TypeSerializer<T> restoreSerializer() {
        return serializer.get();
    }

    @Override
    public final TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(
            TypeSerializerSnapshot<T> oldSerializerSnapshot) {
        if (oldSerializerSnapshot == null || oldSerializerSnapshot.getClass() != getClass()) {
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        int old = ((FormatSnapshot<T>) oldSerializerSnapshot).format;
        if (old == format) return TypeSerializerSchemaCompatibility.compatibleAsIs();
        if (old >= oldestFormat && old < format) return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        return TypeSerializerSchemaCompatibility.incompatible();
    }

    @Override
    public final boolean equals(Object obj) {
        return obj != null && obj.getClass() == getClass() && ((FormatSnapshot<?>) obj).format == format;
    }

    @Override
    public final int hashCode() {
        return 31 * getClass().hashCode() + format;
    }

    @Override
    public String toString() {
        return getClass().getName() + "(format " + format + ")";
    }
}
