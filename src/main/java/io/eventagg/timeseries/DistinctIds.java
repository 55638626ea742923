package io.eventagg.timeseries;

import io.eventagg.sketch.Sketches;
import io.eventagg.types.LongBlocks;
import java.io.IOException;
import org.apache.datasketches.hll.Union;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The distinct ids (users or sessions) of one partial, as the combiner hands them to the bucket
 * operator: their 64-bit hashes ({@link Sketches#idHash}) while there are at most {@link
 * #MAX_HASHES} of them, a serialized HLL sketch of them beyond.
 *
 * <p>Most partials of a replay are minutes with a handful of users. Shipping those few hashes and
 * feeding them straight into the bucket's union costs a fraction of building a sketch per partial,
 * serializing it and wrapping it again on the other side; the result is the same sketch, because a
 * sketch only depends on the set of hashes it was fed. Large sets travel as sketches, so a partial
 * stays bounded (a dense lg_k 14 sketch is 16 KiB, 2,048 hashes).
 */
public final class DistinctIds {
    /** Up to this many ids a partial carries hashes; more become a sketch (8 KiB of hashes). */
    public static final int MAX_HASHES = 1024;

    private static final byte HASHES = 1;
    private static final byte SKETCH = 2;

    private final long[] hashes;
    private final byte[] sketch;

    private DistinctIds(long[] hashes, byte[] sketch) {
        this.hashes = hashes;
        this.sketch = sketch;
    }

    /** Exactly these hashes (distinct; the caller guarantees it). */
    public static DistinctIds ofHashes(long... hashes) {
        return new DistinctIds(hashes, null);
    }

    /** A serialized (compact) HLL sketch of the ids. */
    public static DistinctIds ofSketch(byte[] sketch) {
        return new DistinctIds(null, sketch);
    }

    /** The hashes, or null when this is a sketch. */
    public long[] hashes() {
        return hashes;
    }

    /** The serialized sketch, or null when this is a list of hashes. */
    public byte[] sketch() {
        return sketch;
    }

    /** Folds the ids into a union. */
    public void addTo(Union union) {
        if (hashes != null) {
            for (long h : hashes) union.update(h);
        } else {
            Sketches.merge(union, sketch);
        }
    }

    /** The estimate of the number of distinct ids (exact for hashes). */
    public long estimate() {
        return hashes != null ? hashes.length : Sketches.estimate(sketch);
    }

    static void write(DistinctIds ids, DataOutputView out, LongBlocks longs) throws IOException {
        if (ids.hashes != null) {
            out.writeByte(HASHES);
            out.writeInt(ids.hashes.length);
            longs.write(ids.hashes, out);
        } else {
            out.writeByte(SKETCH);
            out.writeInt(ids.sketch.length);
            out.write(ids.sketch);
        }
    }

    static DistinctIds read(DataInputView in, LongBlocks longs) throws IOException {
        byte tag = in.readByte();
        int n = in.readInt();
        if (tag == HASHES) return new DistinctIds(longs.read(in, n), null);
        if (tag != SKETCH) throw new IOException("unknown DistinctIds tag " + tag);
        byte[] b = new byte[n];
        in.readFully(b);
        return new DistinctIds(null, b);
    }

    /**
     * Collects distinct ids for one bucket in the combiner: an exact set of hashes up to {@link
     * #MAX_HASHES}, then a union (bounded memory however many users a bucket has).
     */
    static final class Collector {
        private final int lgK;
        private LongHashSet set = new LongHashSet();
        private Union union;

        Collector(int lgK) {
            this.lgK = lgK;
        }

        void add(long hash) {
            if (union != null) {
                union.update(hash);
                return;
            }
            set.add(hash);
            if (set.size() > MAX_HASHES) toUnion();
        }

        void addAll(Collector other) {
            if (other.union != null) {
                if (union == null) toUnion();
                union.update(other.union.getResult(Sketches.HLL_TYPE));
                return;
            }
            if (union != null) {
                other.set.updateAll(union);
                return;
            }
            other.set.addAllTo(set);
            if (set.size() > MAX_HASHES) toUnion();
        }

        /** Adds ids as a partial carries them. */
        void addAll(DistinctIds ids) {
            if (ids.hashes != null) {
                for (long h : ids.hashes) add(h);
                return;
            }
            if (union == null) toUnion();
            Sketches.merge(union, ids.sketch);
        }

        private void toUnion() {
            union = Sketches.newUnion(lgK);
            set.updateAll(union);
            set = null;
        }

        DistinctIds build() {
            return union != null ? ofSketch(Sketches.toBytes(union)) : ofHashes(set.toArray());
        }

        /** The ids as a compact serialized HLL sketch (what tables store). */
        byte[] sketch() {
            if (union != null) return Sketches.toBytes(union);
            Union u = Sketches.newUnion(lgK);
            set.updateAll(u);
            return Sketches.toBytes(u);
        }

        /** Binary form in state: the sketch size, then hashes or a serialized union. */
        void write(DataOutputView out) throws IOException {
            out.writeByte(lgK);
            if (union != null) {
                out.writeByte(SKETCH);
                byte[] b = union.toCompactByteArray();
                out.writeInt(b.length);
                out.write(b);
            } else {
                long[] hashes = set.toArray();
                out.writeByte(HASHES);
                out.writeInt(hashes.length);
                for (long h : hashes) out.writeLong(h);
            }
        }

        static Collector read(DataInputView in) throws IOException {
            Collector c = new Collector(in.readByte());
            byte tag = in.readByte();
            int n = in.readInt();
            if (tag == SKETCH) {
                byte[] b = new byte[n];
                in.readFully(b);
                c.set = null;
                c.union = Union.heapify(b);
            } else if (tag == HASHES) {
                for (int i = 0; i < n; i++) c.set.add(in.readLong());
            } else {
                throw new IOException("unknown DistinctIds.Collector tag " + tag);
            }
            return c;
        }
    }
}
