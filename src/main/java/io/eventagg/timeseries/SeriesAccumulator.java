package io.eventagg.timeseries;

import io.eventagg.sketch.Sketches;
import io.eventagg.types.CompactSerializer;
import io.eventagg.types.CustomTypeInfo;
import io.eventagg.types.FormatSnapshot;
import java.io.IOException;
import org.apache.datasketches.hll.Union;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Window state of one series bucket: event count, unique users (and sessions, for the rollup) as
 * HLL unions, and exact breakdown counts with, when the job asks for them, each value's users.
 * Fixed size per bucket apart from the bounded breakdowns.
 */
public final class SeriesAccumulator {
    boolean rollup;
    String environment;
    String event;
    long count;
    Union users;
    Union sessions;
    BreakdownCounts breakdowns;

    SeriesAccumulator() {}

    static SeriesAccumulator empty(int lgK, int breakdownKeys, int cap) {
        return empty(lgK, breakdownKeys, cap, 0);
    }

    /** @param valueUsersLgK sketch size of the users per breakdown value; 0 for none */
    static SeriesAccumulator empty(int lgK, int breakdownKeys, int cap, int valueUsersLgK) {
        SeriesAccumulator a = new SeriesAccumulator();
        a.users = Sketches.newUnion(lgK);
        a.breakdowns = new BreakdownCounts(breakdownKeys, cap, valueUsersLgK);
        return a;
    }

    void add(SeriesPartial p, int lgK) {
        if (environment == null) {
            rollup = p.rollup();
            environment = p.environment();
            event = p.event();
        } else if (!sameSeries(p)) {
            // Only if two series' 64-bit key hashes collided (SeriesKeys): never merge them.
            throw new IllegalStateException(
                    "time-series key collision: " + describe() + " and " + p.environment() + "/" + p.event());
        }
        count += p.count();
        if (p.users() != null) p.users().addTo(users);
        if (p.sessions() != null) {
            if (sessions == null) sessions = Sketches.newUnion(lgK);
            p.sessions().addTo(sessions);
        }
        breakdowns.addAll(
                p.breakdownKeys(),
                p.breakdownValues(),
                p.breakdownCounts(),
                p.breakdownOverflow(),
                p.breakdownUsers(),
                p.overflowUsers());
    }

    private boolean sameSeries(SeriesPartial p) {
        return rollup == p.rollup()
                && (environment == p.environment() || environment.equals(p.environment()))
                && (event == p.event() || (event != null && event.equals(p.event())));
    }

    private String describe() {
        return environment + "/" + (rollup ? "(rollup)" : event);
    }

    public static CustomTypeInfo<SeriesAccumulator> typeInfo() {
        return CustomTypeInfo.of(SeriesAccumulator.class, Serializer::new);
    }

    /**
     * Binary form: format byte, header, sketches, then breakdowns key by key. Format 2 adds the
     * users of each value and of each key's overflow (a presence flag, then {@link
     * DistinctIds.Collector}'s form); format 1 (before users per value) still reads, as a bucket
     * without them.
     */
    public static final class Serializer extends CompactSerializer<SeriesAccumulator> {
        private static final long serialVersionUID = 1L;
        private static final byte FORMAT = 2;

        @Override
        public SeriesAccumulator createInstance() {
            return empty(Sketches.DEFAULT_LG_K, 0, 1);
        }

        @Override
        protected void write(SeriesAccumulator a, DataOutputView out) throws IOException {
            out.writeByte(FORMAT);
            out.writeBoolean(a.rollup);
            writeNullableString(a.environment, out);
            writeNullableString(a.event, out);
            out.writeLong(a.count);
            writeBytes(a.users.toCompactByteArray(), out);
            writeBytes(a.sessions == null ? null : a.sessions.toCompactByteArray(), out);
            BreakdownCounts b = a.breakdowns;
            out.writeInt(b.keys());
            out.writeInt(capOf(b));
            out.writeByte(b.usersLgK());
            for (int k = 0; k < b.keys(); k++) {
                out.writeLong(b.overflow(k));
                if (b.hasUsers()) writeUsers(b.overflowUsers(k), out);
                int n = b.size(k);
                out.writeInt(n);
                for (int i = 0; i < n; i++) {
                    writeNullableString(b.value(k, i), out);
                    out.writeLong(b.count(k, i));
                    if (b.hasUsers()) writeUsers(b.users(k, i), out);
                }
            }
        }

        private static void writeUsers(DistinctIds.Collector c, DataOutputView out) throws IOException {
            out.writeBoolean(c != null);
            if (c != null) c.write(out);
        }

        private static DistinctIds.Collector readUsers(DataInputView in) throws IOException {
            return in.readBoolean() ? DistinctIds.Collector.read(in) : null;
        }

        @Override
        protected SeriesAccumulator read(DataInputView in) throws IOException {
            byte format = in.readByte();
            if (format != 1 && format != FORMAT)
                throw new IOException("unknown SeriesAccumulator format " + format + " (this release reads 1 and 2)");
            SeriesAccumulator a = new SeriesAccumulator();
            a.rollup = in.readBoolean();
            a.environment = readNullableString(in);
            a.event = readNullableString(in);
            a.count = in.readLong();
            a.users = Union.heapify(readBytes(in));
            byte[] s = readBytes(in);
            a.sessions = s == null ? null : Union.heapify(s);
            int keys = in.readInt();
            int cap = in.readInt();
            int usersLgK = format >= 2 ? in.readByte() : 0;
            a.breakdowns = new BreakdownCounts(keys, cap, usersLgK);
            for (int k = 0; k < keys; k++) {
                a.breakdowns.addOverflow(k, in.readLong());
                if (usersLgK > 0) a.breakdowns.setUsers(k, -1, readUsers(in));
                int n = in.readInt();
                for (int i = 0; i < n; i++) {
                    String v = readNullableString(in);
                    a.breakdowns.add(k, v, in.readLong());
                    if (usersLgK > 0) a.breakdowns.setUsers(k, i, readUsers(in));
                }
            }
            return a;
        }

        private static int capOf(BreakdownCounts b) {
            return b.cap();
        }

        @Override
        public TypeSerializerSnapshot<SeriesAccumulator> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Serializer snapshot: the format. */
        public static final class Snapshot extends FormatSnapshot<SeriesAccumulator> {
            public Snapshot() {
                super("SeriesAccumulator", FORMAT, 1, 1, Serializer::new);
            }
        }
    }
}
