package io.eventagg.timeseries;

import io.eventagg.types.CompactSerializer;
import io.eventagg.types.CustomTypeInfo;
import io.eventagg.types.FormatSnapshot;
import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The starts of one series' open buckets at one granularity ({@link SeriesBucketOperator}'s per-key
 * index, so that a key needs one event-time timer, for its earliest bucket, instead of one per
 * bucket). Appended to in arrival order and sorted only when buckets are closed, so that a batch
 * run, which closes all of a key's buckets at once, costs one sort and not an insertion per bucket.
 */
public final class OpenBuckets {
    private long[] starts;
    private int size;
    private boolean sorted = true;
    private long min = Long.MAX_VALUE;

    public OpenBuckets() {
        this(new long[4], 0);
    }

    private OpenBuckets(long[] starts, int size) {
        this.starts = starts;
        this.size = size;
        for (int i = 0; i < size; i++) {
            if (i > 0 && starts[i - 1] > starts[i]) sorted = false;
            min = Math.min(min, starts[i]);
        }
    }

    /** Adds a bucket start (not already present); true when it is now the earliest. */
    public boolean add(long start) {
        if (size == starts.length) starts = Arrays.copyOf(starts, Math.max(4, size * 2));
        if (size > 0 && starts[size - 1] > start) sorted = false;
        starts[size++] = start;
        if (start < min) {
            min = start;
            return true;
        }
        return false;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The earliest start (the list must not be empty). */
    public long min() {
        return min;
    }

    /** Sorts the starts (ascending); {@link #get} then reads them in order. */
    public void sort() {
        if (!sorted) {
            Arrays.sort(starts, 0, size);
            sorted = true;
        }
    }

    /** The i-th start; in ascending order after {@link #sort}. */
    public long get(int i) {
        return starts[i];
    }

    /** Drops the first {@code n} starts of the sorted list. */
    public void dropFirst(int n) {
        if (!sorted) throw new IllegalStateException("not sorted");
        System.arraycopy(starts, n, starts, 0, size - n);
        size -= n;
        min = size == 0 ? Long.MAX_VALUE : starts[0];
        if (starts.length > 64 && size < starts.length / 4) starts = Arrays.copyOf(starts, Math.max(4, size * 2));
    }

    public static CustomTypeInfo<OpenBuckets> typeInfo() {
        return CustomTypeInfo.of(OpenBuckets.class, Serializer::new);
    }

    /** Binary form: format byte, count, the starts. */
    public static final class Serializer extends CompactSerializer<OpenBuckets> {
        private static final long serialVersionUID = 1L;
        private static final byte FORMAT = 1;

        @Override
        public OpenBuckets createInstance() {
            return new OpenBuckets();
        }

        @Override
        protected void write(OpenBuckets b, DataOutputView out) throws IOException {
            out.writeByte(FORMAT);
            out.writeInt(b.size);
            for (int i = 0; i < b.size; i++) out.writeLong(b.starts[i]);
        }

        @Override
        protected OpenBuckets read(DataInputView in) throws IOException {
            byte format = in.readByte();
            if (format != FORMAT)
                throw new IOException("unknown OpenBuckets format " + format + " (this release reads 1)");
            int n = in.readInt();
            long[] starts = new long[Math.max(4, n)];
            for (int i = 0; i < n; i++) starts[i] = in.readLong();
            return new OpenBuckets(starts, n);
        }

        @Override
        public TypeSerializerSnapshot<OpenBuckets> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Serializer snapshot: the format. */
        public static final class Snapshot extends FormatSnapshot<OpenBuckets> {
            public Snapshot() {
                super("OpenBuckets", FORMAT, FORMAT, FORMAT, Serializer::new);
            }
        }
    }
}
