package io.eventagg.funnel;

import com.datadoghq.sketch.ddsketch.DDSketch;
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
 * Window state of one funnel, environment and entry day: per step the users (HLL) and the
 * distributions of seconds from the previous step and from step 1 (DDSketch, plus exact count and
 * sum for means).
 */
public final class FunnelAccumulator {
    int funnel = -1;
    String environment;
    long contributions;
    Union[] users;
    DDSketch[] fromPrevious;
    DDSketch[] fromStart;
    long[] previousCount;
    /** Exact sums in milliseconds: integer sums do not depend on the order of additions. */
    long[] previousSumMs;

    long[] startCount;
    long[] startSumMs;

    static FunnelAccumulator empty(int steps, int lgK) {
        FunnelAccumulator a = new FunnelAccumulator();
        a.users = new Union[steps];
        a.fromPrevious = new DDSketch[steps];
        a.fromStart = new DDSketch[steps];
        for (int i = 0; i < steps; i++) {
            a.users[i] = Sketches.newUnion(lgK);
            a.fromPrevious[i] = Sketches.newQuantiles();
            a.fromStart[i] = Sketches.newQuantiles();
        }
        a.previousCount = new long[steps];
        a.previousSumMs = new long[steps];
        a.startCount = new long[steps];
        a.startSumMs = new long[steps];
        return a;
    }

    int steps() {
        return users.length;
    }

    void add(FunnelContribution c) {
        funnel = c.funnel();
        environment = c.environment();
        contributions++;
        int i = c.step() - 1;
        users[i].update(c.userHash());
        if (c.fromPreviousMs() >= 0) {
            fromPrevious[i].accept(c.fromPreviousMs() / 1000.0);
            previousCount[i]++;
            previousSumMs[i] += c.fromPreviousMs();
        }
        if (c.fromStartMs() >= 0) {
            fromStart[i].accept(c.fromStartMs() / 1000.0);
            startCount[i]++;
            startSumMs[i] += c.fromStartMs();
        }
    }

    void merge(FunnelAccumulator o) {
        if (o.funnel >= 0) {
            funnel = o.funnel;
            environment = o.environment;
        }
        contributions += o.contributions;
        for (int i = 0; i < steps(); i++) {
            users[i].update(o.users[i].getResult());
            fromPrevious[i].mergeWith(o.fromPrevious[i]);
            fromStart[i].mergeWith(o.fromStart[i]);
            previousCount[i] += o.previousCount[i];
            previousSumMs[i] += o.previousSumMs[i];
            startCount[i] += o.startCount[i];
            startSumMs[i] += o.startSumMs[i];
        }
    }

    public static CustomTypeInfo<FunnelAccumulator> typeInfo() {
        return CustomTypeInfo.of(FunnelAccumulator.class, Serializer::new);
    }

    /** Binary form: format byte, header, then per step its sketches and sums. */
    public static final class Serializer extends CompactSerializer<FunnelAccumulator> {
        private static final long serialVersionUID = 1L;
        private static final byte FORMAT = 2;

        @Override
        public FunnelAccumulator createInstance() {
            return empty(0, Sketches.DEFAULT_LG_K);
        }

        @Override
        protected void write(FunnelAccumulator a, DataOutputView out) throws IOException {
            out.writeByte(FORMAT);
            out.writeInt(a.funnel);
            writeNullableString(a.environment, out);
            out.writeLong(a.contributions);
            out.writeInt(a.steps());
            for (int i = 0; i < a.steps(); i++) {
                writeBytes(a.users[i].toCompactByteArray(), out);
                writeBytes(Sketches.toBytes(a.fromPrevious[i]), out);
                writeBytes(Sketches.toBytes(a.fromStart[i]), out);
                out.writeLong(a.previousCount[i]);
                out.writeLong(a.previousSumMs[i]);
                out.writeLong(a.startCount[i]);
                out.writeLong(a.startSumMs[i]);
            }
        }

        @Override
        protected FunnelAccumulator read(DataInputView in) throws IOException {
            byte format = in.readByte();
            if (format != FORMAT)
                throw new IOException("unknown FunnelAccumulator format " + format + " (this release reads 2)");
            FunnelAccumulator a = new FunnelAccumulator();
            a.funnel = in.readInt();
            a.environment = readNullableString(in);
            a.contributions = in.readLong();
            int steps = in.readInt();
            a.users = new Union[steps];
            a.fromPrevious = new DDSketch[steps];
            a.fromStart = new DDSketch[steps];
            a.previousCount = new long[steps];
            a.previousSumMs = new long[steps];
            a.startCount = new long[steps];
            a.startSumMs = new long[steps];
            for (int i = 0; i < steps; i++) {
                a.users[i] = Union.heapify(readBytes(in));
                a.fromPrevious[i] = Sketches.quantilesFromBytes(readBytes(in));
                a.fromStart[i] = Sketches.quantilesFromBytes(readBytes(in));
                a.previousCount[i] = in.readLong();
                a.previousSumMs[i] = in.readLong();
                a.startCount[i] = in.readLong();
                a.startSumMs[i] = in.readLong();
            }
            return a;
        }

        @Override
        public TypeSerializerSnapshot<FunnelAccumulator> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Serializer snapshot: the format (2 since before the snapshots were versioned). */
        public static final class Snapshot extends FormatSnapshot<FunnelAccumulator> {
            public Snapshot() {
                super("FunnelAccumulator", FORMAT, FORMAT, FORMAT, Serializer::new);
            }
        }
    }
}
