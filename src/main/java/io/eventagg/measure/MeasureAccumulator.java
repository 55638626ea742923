package io.eventagg.measure;

import com.datadoghq.sketch.ddsketch.DDSketch;
import io.eventagg.sketch.Sketches;
import io.eventagg.types.CompactSerializer;
import io.eventagg.types.CustomTypeInfo;
import io.eventagg.types.FormatSnapshot;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** State of one measure bucket: counts, sum, min, max and the values' distribution. */
public final class MeasureAccumulator {
    long events;
    long values;
    double sum;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    long nonNumeric;
    DDSketch quantiles;

    void add(MeasureSample s) {
        events++;
        switch (s.kind()) {
            case MeasureSample.NUMBER -> {
                values++;
                sum += s.value();
                min = Math.min(min, s.value());
                max = Math.max(max, s.value());
                if (quantiles == null) quantiles = Sketches.newQuantiles();
                quantiles.accept(s.value());
            }
            case MeasureSample.NOT_A_NUMBER -> nonNumeric++;
            default -> {}
        }
    }

    public static CustomTypeInfo<MeasureAccumulator> typeInfo() {
        return CustomTypeInfo.of(MeasureAccumulator.class, Serializer::new);
    }

    /** Binary form: format byte, the counts and numbers, then the sketch (DDSketch's encoding). */
    public static final class Serializer extends CompactSerializer<MeasureAccumulator> {
        private static final long serialVersionUID = 1L;
        private static final byte FORMAT = 1;

        @Override
        public MeasureAccumulator createInstance() {
            return new MeasureAccumulator();
        }

        @Override
        protected void write(MeasureAccumulator a, DataOutputView out) throws IOException {
            out.writeByte(FORMAT);
            out.writeLong(a.events);
            out.writeLong(a.values);
            out.writeDouble(a.sum);
            out.writeDouble(a.min);
            out.writeDouble(a.max);
            out.writeLong(a.nonNumeric);
            writeBytes(a.quantiles == null ? null : Sketches.toBytes(a.quantiles), out);
        }

        @Override
        protected MeasureAccumulator read(DataInputView in) throws IOException {
            byte format = in.readByte();
            if (format != FORMAT)
                throw new IOException("unknown MeasureAccumulator format " + format + " (this release reads 1)");
            MeasureAccumulator a = new MeasureAccumulator();
            a.events = in.readLong();
            a.values = in.readLong();
            a.sum = in.readDouble();
            a.min = in.readDouble();
            a.max = in.readDouble();
            a.nonNumeric = in.readLong();
            byte[] q = readBytes(in);
            a.quantiles = q == null ? null : Sketches.quantilesFromBytes(q);
            return a;
        }

        @Override
        public TypeSerializerSnapshot<MeasureAccumulator> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Serializer snapshot: the format. */
        public static final class Snapshot extends FormatSnapshot<MeasureAccumulator> {
            public Snapshot() {
                super("MeasureAccumulator", FORMAT, FORMAT, FORMAT, Serializer::new);
            }
        }
    }
}
