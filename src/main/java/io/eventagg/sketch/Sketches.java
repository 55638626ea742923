package io.eventagg.sketch;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.datasketches.hash.MurmurHash3;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;

/**
 * The distinct-count and distribution sketches used everywhere, in one place so that every stage
 * hashes ids the same way and every stored sketch can be merged with every other.
 *
 * <p>Unique counts are HyperLogLog sketches with {@code lgK} (default 14): up to 1,536 distinct
 * values the sketch is an exact list of coupons; above, the relative standard error is about
 * 0.8 %. Ids are hashed once (64-bit MurmurHash3 of their UTF-8 bytes) and the hash is fed to the
 * sketches. Sketches are stored and shipped in compact serialized form, as base64 text in tables.
 */
public final class Sketches {
    public static final int DEFAULT_LG_K = 14;
    /** The HLL register width used in memory (fast updates) and in stored sketches. */
    public static final TgtHllType HLL_TYPE = TgtHllType.HLL_8;
    private static final long SEED = 0x9E3779B97F4A7C15L;
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private Sketches() {}

    /** The 64-bit hash of an id (distinct_id, session_id) that all sketches are fed with. */
    public static long idHash(String id) {
        return MurmurHash3.hash(id.getBytes(StandardCharsets.UTF_8), SEED)[0];
    }

    public static HllSketch newHll(int lgK) {
        return new HllSketch(lgK, HLL_TYPE);
    }

    public static Union newUnion(int lgK) {
        return new Union(lgK);
    }

    /** Folds serialized sketch bytes into a union without copying them onto the heap first. */
    public static void merge(Union union, byte[] sketch) {
        if (sketch != null && sketch.length > 0) {
            union.update(HllSketch.wrap(Memory.wrap(sketch)));
        }
    }

    public static byte[] toBytes(Union union) {
        return union.getResult(HLL_TYPE).toCompactByteArray();
    }

    public static byte[] toBytes(HllSketch sketch) {
        return sketch.toCompactByteArray();
    }

    /** The estimate rounded to a whole count (exact while the sketch is in coupon mode). */
    public static long estimate(Union union) {
        return Math.round(union.getEstimate());
    }

    public static long estimate(HllSketch sketch) {
        return Math.round(sketch.getEstimate());
    }

    public static long estimate(byte[] sketch) {
        if (sketch == null || sketch.length == 0) return 0;
        return Math.round(HllSketch.wrap(Memory.wrap(sketch)).getEstimate());
    }

    public static String base64(byte[] bytes) {
        return bytes == null ? null : B64.encodeToString(bytes);
    }

    public static byte[] fromBase64(String text) {
        return text == null || text.isEmpty() ? null : B64D.decode(text);
    }

    /** A KLL sketch of doubles (time-to-convert distributions); k=200 gives ~1.3 % rank error. */
    public static KllDoublesSketch newKll() {
        return KllDoublesSketch.newHeapInstance(200);
    }

    public static KllDoublesSketch kllFromBytes(byte[] bytes) {
        return KllDoublesSketch.heapify(Memory.wrap(bytes));
    }
}
