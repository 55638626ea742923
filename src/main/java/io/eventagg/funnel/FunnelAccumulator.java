package io.eventagg.funnel;

import io.eventagg.sketch.Sketches;
import io.eventagg.types.CompactSerializer;
import io.eventagg.types.CustomTypeInfo;
import java.io.IOException;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Window state of one funnel, environment and entry day: per step the users (HLL) and the
 * distributions of seconds from the previous step and from step 1 (KLL, plus exact count and sum
 * for means).
 */
public final class FunnelAccumulator {
    int funnel = -1;
    String environment;
    long contributions;
    Union[] users;
    KllDoublesSketch[] fromPrevious;
    KllDoublesSketch[] fromStart;
    long[] previousCount;
    double[] previousSum;
    long[] startCount;
    double[] startSum;

    static FunnelAccumulator empty(int steps, int lgK) {
        FunnelAccumulator a = new FunnelAccumulator();
        a.users = new Union[steps];
        a.fromPrevious = new KllDoublesSketch[steps];
        a.fromStart = new KllDoublesSketch[steps];
        for (int i = 0; i < steps; i++) {
            a.users[i] = Sketches.newUnion(lgK);
            a.fromPrevious[i] = Sketches.newKll();
            a.fromStart[i] = Sketches.newKll();
        }
        a.previousCount = new long[steps];
        a.previousSum = new double[steps];
        a.startCount = new long[steps];
        a.startSum = new double[steps];
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
            double s = c.fromPreviousMs() / 1000.0;
            fromPrevious[i].update(s);
            previousCount[i]++;
            previousSum[i] += s;
        }
        if (c.fromStartMs() >= 0) {
            double s = c.fromStartMs() / 1000.0;
            fromStart[i].update(s);
            startCount[i]++;
            startSum[i] += s;
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
            fromPrevious[i].merge(o.fromPrevious[i]);
            fromStart[i].merge(o.fromStart[i]);
            previousCount[i] += o.previousCount[i];
            previousSum[i] += o.previousSum[i];
            startCount[i] += o.startCount[i];
            startSum[i] += o.startSum[i];
        }
    }

    public static CustomTypeInfo<FunnelAccumulator> typeInfo() {
        return CustomTypeInfo.of(FunnelAccumulator.class, Serializer::new);
    }

    /** Binary form: format byte, header, then per step its sketches and sums. */
    public static final class Serializer extends CompactSerializer<FunnelAccumulator> {
        private static final long serialVersionUID = 1L;
        private static final byte FORMAT = 1;

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
                writeBytes(a.fromPrevious[i].toByteArray(), out);
                writeBytes(a.fromStart[i].toByteArray(), out);
                out.writeLong(a.previousCount[i]);
                out.writeDouble(a.previousSum[i]);
                out.writeLong(a.startCount[i]);
                out.writeDouble(a.startSum[i]);
            }
        }

        @Override
        protected FunnelAccumulator read(DataInputView in) throws IOException {
            byte format = in.readByte();
            if (format != FORMAT) throw new IOException("unknown FunnelAccumulator format " + format);
            FunnelAccumulator a = new FunnelAccumulator();
            a.funnel = in.readInt();
            a.environment = readNullableString(in);
            a.contributions = in.readLong();
            int steps = in.readInt();
            a.users = new Union[steps];
            a.fromPrevious = new KllDoublesSketch[steps];
            a.fromStart = new KllDoublesSketch[steps];
            a.previousCount = new long[steps];
            a.previousSum = new double[steps];
            a.startCount = new long[steps];
            a.startSum = new double[steps];
            for (int i = 0; i < steps; i++) {
                a.users[i] = Union.heapify(readBytes(in));
                a.fromPrevious[i] = KllDoublesSketch.heapify(Memory.wrap(readBytes(in)));
                a.fromStart[i] = KllDoublesSketch.heapify(Memory.wrap(readBytes(in)));
                a.previousCount[i] = in.readLong();
                a.previousSum[i] = in.readDouble();
                a.startCount[i] = in.readLong();
                a.startSum[i] = in.readDouble();
            }
            return a;
        }

        @Override
        public TypeSerializerSnapshot<FunnelAccumulator> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Serializer snapshot; the serializer has no configuration. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<FunnelAccumulator> {
            public Snapshot() {
                super(Serializer::new);
            }
        }
    }
}
