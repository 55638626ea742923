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
 * the fields in order, strings through {@link CompactStrings}. Format 2 adds the gate's order and
 * kill list; format 1 (written before the gate existed, e.g. in CEP state of an older savepoint) is
 * still read, as order 0 without kills.
 */
public final class FunnelEventSerializer extends RecordSerializer<FunnelEvent> {
    private static final long serialVersionUID = 1L;
    private static final byte FORMAT = 2;
    private static final byte FORMAT_1 = 1;

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
        out.writeInt(e.order());
        long[] kills = e.kills();
        out.writeShort(kills == null ? 0 : kills.length);
        if (kills != null) for (long k : kills) out.writeLong(k);
    }

    @Override
    protected FunnelEvent read(DataInputView in, CompactStrings s) throws IOException {
        byte format = in.readByte();
        if (format != FORMAT && format != FORMAT_1) throw new IOException("unknown FunnelEvent format " + format);
        String environment = s.read(in, 0);
        String distinctId = s.read(in, 1);
        long timestamp = in.readLong();
        String uuid = s.read(in);
        long steps = in.readLong();
        long exclusions = in.readLong();
        if (format == FORMAT_1) return new FunnelEvent(environment, distinctId, timestamp, uuid, steps, exclusions);
        int order = in.readInt();
        int n = in.readUnsignedShort();
        long[] kills = null;
        if (n > 0) {
            kills = new long[n];
            for (int i = 0; i < n; i++) kills[i] = in.readLong();
        }
        return new FunnelEvent(environment, distinctId, timestamp, uuid, steps, exclusions, order, kills);
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
