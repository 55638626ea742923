package io.eventagg.funnel;

import io.eventagg.types.CompactStrings;
import io.eventagg.types.CustomTypeInfo;
import io.eventagg.types.FormatSnapshot;
import io.eventagg.types.RecordSerializer;
import io.eventagg.types.Uuids;
import io.eventagg.types.VarInts;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link FunnelEvent} on the wire and in CEP's state (its buffer of events and partial matches) and
 * the gate's waiting list. Every value starts with its format byte:
 *
 * <ul>
 *   <li>3 (current): a flags byte (uuid packed, kills present), environment and distinct id through
 *       {@link CompactStrings}, the timestamp as a signed {@link VarInts varint}, the uuid as 16
 *       bytes when it is a canonical UUID (else as a string), the step and exclusion masks and the
 *       gate's order as unsigned varints, then the kill list (a count and signed varints). About
 *       half the bytes of format 2 for the events CEP buffers per user (measured in {@code
 *       FunnelEventUpgradeTest}).
 *   <li>2: the same fields with fixed-width numbers, the uuid as a string, the kill count as a short.
 *   <li>1 (written before the gate existed): format 2 without order and kills; reads as order 0
 *       without kills.
 * </ul>
 *
 * All three are read; state in an older format is rewritten in the current one on restore (see
 * {@link FormatSnapshot}).
 */
public final class FunnelEventSerializer extends RecordSerializer<FunnelEvent> {
    private static final long serialVersionUID = 1L;
    private static final byte FORMAT = 3;
    private static final byte FORMAT_2 = 2;
    private static final byte FORMAT_1 = 1;
    private static final int PACKED_UUID = 1;
    private static final int KILLS = 2;
    private transient byte[] scratch;
    private transient long[] uuidBits;

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
        String uuid = e.uuid();
        if (uuidBits == null) uuidBits = new long[2];
        boolean packed = Uuids.parse(uuid, uuidBits);
        long[] kills = e.kills();
        boolean hasKills = kills != null && kills.length > 0;
        out.writeByte(FORMAT);
        out.writeByte((packed ? PACKED_UUID : 0) | (hasKills ? KILLS : 0));
        s.write(e.environment(), out);
        s.write(e.distinctId(), out);
        byte[] b = scratch(3 * VarInts.MAX_BYTES + 16);
        int n = VarInts.putSigned(b, 0, e.timestamp());
        if (packed) {
            n = putLong(b, n, uuidBits[0]);
            n = putLong(b, n, uuidBits[1]);
        } else {
            out.write(b, 0, n);
            n = 0;
            s.write(uuid, out);
        }
        n = VarInts.putUnsigned(b, n, e.stepMask());
        n = VarInts.putUnsigned(b, n, e.exclusionMask());
        n = VarInts.putUnsigned(b, n, e.order() & 0xFFFFFFFFL);
        out.write(b, 0, n);
        if (hasKills) {
            b = scratch((kills.length + 1) * VarInts.MAX_BYTES);
            n = VarInts.putUnsigned(b, 0, kills.length);
            for (long k : kills) n = VarInts.putSigned(b, n, k);
            out.write(b, 0, n);
        }
    }

    private byte[] scratch(int size) {
        if (scratch == null || scratch.length < size) scratch = new byte[Math.max(64, size)];
        return scratch;
    }

    private static int putLong(byte[] b, int pos, long v) {
        for (int i = 7; i >= 0; i--) b[pos++] = (byte) (v >>> (8 * i));
        return pos;
    }

    @Override
    protected FunnelEvent read(DataInputView in, CompactStrings s) throws IOException {
        byte format = in.readByte();
        if (format == FORMAT) return readFormat3(in, s);
        if (format != FORMAT_2 && format != FORMAT_1) {
            throw new IOException("unknown FunnelEvent format " + format + " (this release reads 1 to " + FORMAT + ")");
        }
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

    private static FunnelEvent readFormat3(DataInputView in, CompactStrings s) throws IOException {
        int flags = in.readUnsignedByte();
        String environment = s.read(in, 0);
        String distinctId = s.read(in, 1);
        long timestamp = VarInts.readSigned(in);
        String uuid = (flags & PACKED_UUID) != 0 ? Uuids.format(in.readLong(), in.readLong()) : s.read(in);
        long steps = VarInts.readUnsigned(in);
        long exclusions = VarInts.readUnsigned(in);
        int order = (int) VarInts.readUnsigned(in);
        long[] kills = null;
        if ((flags & KILLS) != 0) {
            kills = new long[(int) VarInts.readUnsigned(in)];
            for (int i = 0; i < kills.length; i++) kills[i] = VarInts.readSigned(in);
        }
        return new FunnelEvent(environment, distinctId, timestamp, uuid, steps, exclusions, order, kills);
    }

    @Override
    public TypeSerializerSnapshot<FunnelEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /**
     * Serializer snapshot: the format. A {@code SimpleTypeSerializerSnapshot} of this class (before
     * format 3) stands for format 2, whose values may also be format 1.
     */
    public static final class Snapshot extends FormatSnapshot<FunnelEvent> {
        public Snapshot() {
            super("FunnelEvent", FORMAT, FORMAT_1, FORMAT_2, FunnelEventSerializer::new);
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
