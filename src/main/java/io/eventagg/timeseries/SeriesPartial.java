package io.eventagg.timeseries;

import io.eventagg.time.Granularity;
import io.eventagg.types.CompactSerializer;
import io.eventagg.types.CompactStrings;
import io.eventagg.types.CustomTypeInfo;
import io.eventagg.types.FormatSnapshot;
import io.eventagg.types.LongBlocks;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A partial aggregate of one bucket from one combiner flush: what {@link SeriesBucketOperator}
 * merges. Distinct users and sessions travel as {@link DistinctIds}; breakdowns as parallel arrays
 * (key index, value, count).
 *
 * @param key the bucket operator's key ({@link SeriesKeys}): series, granularity and shard
 * @param rollup true for the all-events rollup (then {@code event} is null and {@code sessions} set)
 * @param breakdownOverflow per breakdown key, events whose value was not tracked because the
 *     bucket already held {@code limits.breakdown_values_per_bucket} distinct values
 * @param breakdownUsers per breakdown value (parallel to {@code breakdownValues}), its users; null
 *     when the job does not count users per value (an element is null for a value without users)
 * @param overflowUsers per breakdown key, the users of its overflow; null like {@code breakdownUsers}
 */
@TypeInfo(SeriesPartial.TypeInfoFactoryImpl.class)
public record SeriesPartial(
        long key,
        boolean rollup,
        String environment,
        String event,
        long bucketStart,
        long count,
        DistinctIds users,
        DistinctIds sessions,
        int[] breakdownKeys,
        String[] breakdownValues,
        long[] breakdownCounts,
        long[] breakdownOverflow,
        DistinctIds[] breakdownUsers,
        DistinctIds[] overflowUsers) {

    /** A partial without users per breakdown value. */
    public SeriesPartial(
            long key,
            boolean rollup,
            String environment,
            String event,
            long bucketStart,
            long count,
            DistinctIds users,
            DistinctIds sessions,
            int[] breakdownKeys,
            String[] breakdownValues,
            long[] breakdownCounts,
            long[] breakdownOverflow) {
        this(
                key,
                rollup,
                environment,
                event,
                bucketStart,
                count,
                users,
                sessions,
                breakdownKeys,
                breakdownValues,
                breakdownCounts,
                breakdownOverflow,
                null,
                null);
    }

    public Granularity granularity() {
        return SeriesKeys.granularity(key);
    }

    /**
     * Partials cross the shuffle between the combiner and the bucket operator; Flink's record (POJO)
     * serializer builds each one reflectively, which was a tenth of the bucket operator's time. Never
     * kept in state, so the layout can change freely.
     */
    public static final class TypeInfoFactoryImpl extends TypeInfoFactory<SeriesPartial> {
        @Override
        public TypeInformation<SeriesPartial> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> genericParameters) {
            return CustomTypeInfo.of(SeriesPartial.class, Serializer::new);
        }
    }

    /** Binary form: the key, a flags byte (rollup, which nullable parts are present), then the fields. */
    public static final class Serializer extends CompactSerializer<SeriesPartial> {
        private static final long serialVersionUID = 1L;
        private transient CompactStrings strings;
        private transient LongBlocks longs;

        private CompactStrings s() {
            if (strings == null) strings = new CompactStrings(2);
            return strings;
        }

        private LongBlocks longs() {
            if (longs == null) longs = new LongBlocks();
            return longs;
        }

        @Override
        public TypeSerializer<SeriesPartial> duplicate() {
            // Holds scratch buffers and recently read strings: one instance per thread.
            return new Serializer();
        }

        private static final int ROLLUP = 1;
        private static final int EVENT = 2;
        private static final int USERS = 4;
        private static final int SESSIONS = 8;
        private static final int BREAKDOWNS = 16;
        private static final int OVERFLOW = 32;
        private static final int VALUE_USERS = 64;

        @Override
        public SeriesPartial createInstance() {
            return new SeriesPartial(0, false, "", null, 0, 0, null, null, null, null, null, null);
        }

        @Override
        protected void write(SeriesPartial p, DataOutputView out) throws IOException {
            boolean breakdowns = p.breakdownKeys != null;
            out.writeLong(p.key);
            out.writeByte((p.rollup ? ROLLUP : 0)
                    | (p.event != null ? EVENT : 0)
                    | (p.users != null ? USERS : 0)
                    | (p.sessions != null ? SESSIONS : 0)
                    | (breakdowns ? BREAKDOWNS : 0)
                    | (p.breakdownOverflow != null ? OVERFLOW : 0)
                    | (p.breakdownUsers != null ? VALUE_USERS : 0));
            CompactStrings s = s();
            s.write(p.environment, out);
            if (p.event != null) s.write(p.event, out);
            out.writeLong(p.bucketStart);
            out.writeLong(p.count);
            if (p.users != null) DistinctIds.write(p.users, out, longs());
            if (p.sessions != null) DistinctIds.write(p.sessions, out, longs());
            if (breakdowns) {
                int n = p.breakdownKeys.length;
                out.writeInt(n);
                for (int i = 0; i < n; i++) {
                    out.writeInt(p.breakdownKeys[i]);
                    s.write(p.breakdownValues[i], out);
                    out.writeLong(p.breakdownCounts[i]);
                }
            }
            if (p.breakdownOverflow != null) {
                out.writeInt(p.breakdownOverflow.length);
                for (long o : p.breakdownOverflow) out.writeLong(o);
            }
            if (p.breakdownUsers != null) {
                writeIds(p.breakdownUsers, out);
                writeIds(p.overflowUsers, out);
            }
        }

        private void writeIds(DistinctIds[] ids, DataOutputView out) throws IOException {
            out.writeInt(ids == null ? -1 : ids.length);
            if (ids == null) return;
            for (DistinctIds d : ids) {
                out.writeBoolean(d != null);
                if (d != null) DistinctIds.write(d, out, longs());
            }
        }

        private DistinctIds[] readIds(DataInputView in) throws IOException {
            int n = in.readInt();
            if (n < 0) return null;
            DistinctIds[] ids = new DistinctIds[n];
            for (int i = 0; i < n; i++) if (in.readBoolean()) ids[i] = DistinctIds.read(in, longs());
            return ids;
        }

        @Override
        protected SeriesPartial read(DataInputView in) throws IOException {
            long key = in.readLong();
            int flags = in.readUnsignedByte();
            CompactStrings s = s();
            String environment = s.read(in, 0);
            String event = (flags & EVENT) != 0 ? s.readInterned(in) : null;
            long start = in.readLong();
            long count = in.readLong();
            DistinctIds users = (flags & USERS) != 0 ? DistinctIds.read(in, longs()) : null;
            DistinctIds sessions = (flags & SESSIONS) != 0 ? DistinctIds.read(in, longs()) : null;
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
                    values[i] = s.readInterned(in);
                    counts[i] = in.readLong();
                }
            }
            long[] overflow = null;
            if ((flags & OVERFLOW) != 0) {
                overflow = new long[in.readInt()];
                for (int i = 0; i < overflow.length; i++) overflow[i] = in.readLong();
            }
            DistinctIds[] valueUsers = null, overflowUsers = null;
            if ((flags & VALUE_USERS) != 0) {
                valueUsers = readIds(in);
                overflowUsers = readIds(in);
            }
            return new SeriesPartial(
                    key,
                    (flags & ROLLUP) != 0,
                    environment,
                    event,
                    start,
                    count,
                    users,
                    sessions,
                    keys,
                    values,
                    counts,
                    overflow,
                    valueUsers,
                    overflowUsers);
        }

        @Override
        public TypeSerializerSnapshot<SeriesPartial> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Serializer snapshot: the format (one so far; no format byte, as partials are never state). */
        public static final class Snapshot extends FormatSnapshot<SeriesPartial> {
            public Snapshot() {
                super("SeriesPartial", 1, 1, 1, Serializer::new);
            }
        }
    }
}
