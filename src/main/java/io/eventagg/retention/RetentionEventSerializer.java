package io.eventagg.retention;

import io.eventagg.types.CompactStrings;
import io.eventagg.types.CustomTypeInfo;
import io.eventagg.types.FormatSnapshot;
import io.eventagg.types.RecordSerializer;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** {@link RetentionEvent} on the wire (it is never kept in state): the fields in order. */
public final class RetentionEventSerializer extends RecordSerializer<RetentionEvent> {
    private static final long serialVersionUID = 1L;

    public RetentionEventSerializer() {
        super(2);
    }

    @Override
    protected RecordSerializer<RetentionEvent> fresh() {
        return new RetentionEventSerializer();
    }

    @Override
    public RetentionEvent createInstance() {
        return new RetentionEvent("", "", 0, 0, 0);
    }

    @Override
    protected void write(RetentionEvent e, DataOutputView out, CompactStrings s) throws IOException {
        s.write(e.environment(), out);
        s.write(e.distinctId(), out);
        out.writeLong(e.timestamp());
        out.writeLong(e.startMask());
        out.writeLong(e.returnMask());
    }

    @Override
    protected RetentionEvent read(DataInputView in, CompactStrings s) throws IOException {
        return new RetentionEvent(s.read(in, 0), s.read(in, 1), in.readLong(), in.readLong(), in.readLong());
    }

    @Override
    public TypeSerializerSnapshot<RetentionEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Serializer snapshot: the format (one so far; no format byte, as the type is never state). */
    public static final class Snapshot extends FormatSnapshot<RetentionEvent> {
        public Snapshot() {
            super("RetentionEvent", 1, 1, 1, RetentionEventSerializer::new);
        }
    }

    /** Type information of {@link RetentionEvent} (through {@code @TypeInfo}). */
    public static final class Factory extends TypeInfoFactory<RetentionEvent> {
        @Override
        public TypeInformation<RetentionEvent> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> genericParameters) {
            return CustomTypeInfo.of(RetentionEvent.class, RetentionEventSerializer::new);
        }
    }
}
