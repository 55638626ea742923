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
 * HLL unions, and exact breakdown counts. Fixed size per bucket apart from the bounded breakdowns.
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
        SeriesAccumulator a = new SeriesAccumulator();
        a.users = Sketches.newUnion(lgK);
        a.breakdowns = new BreakdownCounts(breakdownKeys, cap);
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
        breakdowns.addAll(p.breakdownKeys(), p.breakdownValues(), p.breakdownCounts(), p.breakdownOverflow());
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

    /** Binary form: format byte, header, sketches, then breakdowns key by key. */
    public static final class Serializer extends CompactSerializer<SeriesAccumulator> {
        private static final long serialVersionUID = 1L;
        private static final byte FORMAT = 1;

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
            for (int k = 0; k < b.keys(); k++) {
                out.writeLong(b.overflow(k));
                int n = b.size(k);
                out.writeInt(n);
                for (int i = 0; i < n; i++) {
                    writeNullableString(b.value(k, i), out);
                    out.writeLong(b.count(k, i));
                }
            }
        }

        @Override
        protected SeriesAccumulator read(DataInputView in) throws IOException {
            byte format = in.readByte();
            if (format != FORMAT)
                throw new IOException("unknown SeriesAccumulator format " + format + " (this release reads 1)");
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
            a.breakdowns = new BreakdownCounts(keys, cap);
            for (int k = 0; k < keys; k++) {
                a.breakdowns.addOverflow(k, in.readLong());
                int n = in.readInt();
                for (int i = 0; i < n; i++) {
                    String v = readNullableString(in);
                    a.breakdowns.add(k, v, in.readLong());
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
                super("SeriesAccumulator", FORMAT, FORMAT, FORMAT, Serializer::new);
            }
        }
    }
}
