package io.eventagg.funnel;

import io.eventagg.types.CompactStrings;
import io.eventagg.types.CustomTypeInfo;
import io.eventagg.types.RecordSerializer;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link FunnelEvent} on the wire and in CEP's state (its buffer of events and partial matches):
 * the fields in order, strings through {@link CompactStrings}. Format 1.
 */
public final class FunnelEventSerializer extends RecordSerializer<FunnelEvent> {
    private static final long serialVersionUID = 1L;
    private static final byte FORMAT = 1;

    public FunnelEventSerializer() {
        super(2);
    }

    @Override
    protected RecordSerializer<FunnelEvent> fresh() {
        return new FunnelEventSerializer();
    }

    @Override
    public FunnelEvent createInstance() {
        return new FunnelEvent("", "", 0, null, 0, 0);
    }

    @Override
    protected void write(FunnelEvent e, DataOutputView out, CompactStrings s) throws IOException {
        out.writeByte(FORMAT);
        s.write(e.environment(), out);
        s.write(e.distinctId(), out);
        out.writeLong(e.timestamp());
        s.write(e.uuid(), out);
        out.writeLong(e.stepMask());
        out.writeLong(e.exclusionMask());
    }

    @Override
    protected FunnelEvent read(DataInputView in, CompactStrings s) throws IOException {
        byte format = in.readByte();
        if (format != FORMAT) throw new IOException("unknown FunnelEvent format " + format);
        return new FunnelEvent(s.read(in, 0), s.read(in, 1), in.readLong(), s.read(in), in.readLong(), in.readLong());
    }

    @Override
    public TypeSerializerSnapshot<FunnelEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Serializer snapshot; the serializer has no configuration. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<FunnelEvent> {
        public Snapshot() {
            super(FunnelEventSerializer::new);
        }
    }

    /** Type information of {@link FunnelEvent} (through {@code @TypeInfo}). */
    public static final class Factory extends TypeInfoFactory<FunnelEvent> {
        @Override
        public TypeInformation<FunnelEvent> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return CustomTypeInfo.of(FunnelEvent.class, FunnelEventSerializer::new);
        }
    }
}
