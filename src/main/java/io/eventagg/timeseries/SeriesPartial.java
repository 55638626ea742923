package io.eventagg.timeseries;

import io.eventagg.types.CompactSerializer;
import io.eventagg.types.CustomTypeInfo;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * A partial aggregate of one bucket from one combiner flush: what the per-granularity windows merge.
 * Sketches travel serialized; breakdowns travel as parallel arrays (key index, value, count).
 *
 * @param rollup true for the all-events rollup (then {@code event} is null and {@code sessions} set)
 * @param granularity the ordinal of {@link io.eventagg.time.Granularity}
 * @param breakdownOverflow per breakdown key, events whose value was not tracked because the
 *     bucket already held {@code limits.breakdown_values_per_bucket} distinct values
 */
@TypeInfo(SeriesPartial.TypeInfoFactoryImpl.class)
public record SeriesPartial(
        boolean rollup,
        String environment,
        String event,
        int granularity,
        long bucketStart,
        long count,
        byte[] users,
        byte[] sessions,
        int[] breakdownKeys,
        String[] breakdownValues,
        long[] breakdownCounts,
        long[] breakdownOverflow) {

    /** The key of the series this partial belongs to (one window state per key and bucket). */
    public String seriesKey() {
        return rollup ? "R\u001f" + environment : "E\u001f" + environment + "\u001f" + event;
    }

    /**
     * The key of this partial's series at its granularity: the state key of {@link SeriesBucketOperator},
     * which aggregates every granularity (the first character is the granularity's ordinal).
     */
    public String bucketKey() {
        return (char) ('0' + granularity) + seriesKey();
    }

    /** The granularity ordinal of a {@link #bucketKey()}. */
    public static int granularityOf(String bucketKey) {
        return bucketKey.charAt(0) - '0';
    }

    /**
     * Partials cross the shuffle between the combiner and the bucket operator; Flink's record (POJO)
     * serializer builds each one reflectively, which was a tenth of the bucket operator's time. Never
     * kept in state, so the layout can change freely.
     */
    public static final class TypeInfoFactoryImpl extends TypeInfoFactory<SeriesPartial> {
        @Override
        public TypeInformation<SeriesPartial> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return CustomTypeInfo.of(SeriesPartial.class, Serializer::new);
        }
    }

    /** Binary form: a flags byte (rollup, which nullable parts are present), then the fields. */
    public static final class Serializer extends CompactSerializer<SeriesPartial> {
        private static final long serialVersionUID = 1L;
        private static final int ROLLUP = 1;
        private static final int EVENT = 2;
        private static final int USERS = 4;
        private static final int SESSIONS = 8;
        private static final int BREAKDOWNS = 16;
        private static final int OVERFLOW = 32;

        @Override
        public SeriesPartial createInstance() {
            return new SeriesPartial(false, "", null, 0, 0, 0, null, null, null, null, null, null);
        }

        @Override
        protected void write(SeriesPartial p, DataOutputView out) throws IOException {
            boolean breakdowns = p.breakdownKeys != null;
            out.writeByte((p.rollup ? ROLLUP : 0) | (p.event != null ? EVENT : 0) | (p.users != null ? USERS : 0)
                    | (p.sessions != null ? SESSIONS : 0) | (breakdowns ? BREAKDOWNS : 0) | (p.breakdownOverflow != null ? OVERFLOW : 0));
            StringValue.writeString(p.environment, out);
            if (p.event != null) StringValue.writeString(p.event, out);
            out.writeByte(p.granularity);
            out.writeLong(p.bucketStart);
            out.writeLong(p.count);
            if (p.users != null) writeBytes(p.users, out);
            if (p.sessions != null) writeBytes(p.sessions, out);
            if (breakdowns) {
                int n = p.breakdownKeys.length;
                out.writeInt(n);
                for (int i = 0; i < n; i++) {
                    out.writeInt(p.breakdownKeys[i]);
                    StringValue.writeString(p.breakdownValues[i], out);
                    out.writeLong(p.breakdownCounts[i]);
                }
            }
            if (p.breakdownOverflow != null) {
                out.writeInt(p.breakdownOverflow.length);
                for (long o : p.breakdownOverflow) out.writeLong(o);
            }
        }

        @Override
        protected SeriesPartial read(DataInputView in) throws IOException {
            int flags = in.readUnsignedByte();
            String environment = StringValue.readString(in);
            String event = (flags & EVENT) != 0 ? StringValue.readString(in) : null;
            int granularity = in.readUnsignedByte();
            long start = in.readLong();
            long count = in.readLong();
            byte[] users = (flags & USERS) != 0 ? readBytes(in) : null;
            byte[] sessions = (flags & SESSIONS) != 0 ? readBytes(in) : null;
            int[] keys = null;
            String[] values = null;
            long[] counts = null;
            if ((flags & BREAKDOWNS) != 0) {
                int n = in.readInt();
                keys = new int[n];
                values = new String[n];
                counts = new long[n];
                for (int i = 0; i < n; i++) {
                    keys[i] = in.readInt();
                    values[i] = StringValue.readString(in);
                    counts[i] = in.readLong();
                }
            }
            long[] overflow = null;
            if ((flags & OVERFLOW) != 0) {
                overflow = new long[in.readInt()];
                for (int i = 0; i < overflow.length; i++) overflow[i] = in.readLong();
            }
            return new SeriesPartial((flags & ROLLUP) != 0, environment, event, granularity, start, count, users, sessions, keys, values,
                    counts, overflow);
        }

        @Override
        public TypeSerializerSnapshot<SeriesPartial> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Serializer snapshot; the serializer has no configuration. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<SeriesPartial> {
            public Snapshot() {
                super(Serializer::new);
            }
        }
    }
}
