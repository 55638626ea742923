package io.eventagg.sketch;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.store.CollapsingLowestDenseStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.datasketches.hash.MurmurHash3;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.memory.Memory;

/**
 * The distinct-count and distribution sketches used everywhere, in one place so that every stage
 * hashes ids the same way and every stored sketch can be merged with every other.
 *
 * <p>Unique counts are HyperLogLog sketches with {@code lgK} (default 14): up to 1,536 distinct
 * values the sketch is an exact list of coupons; above, the relative standard error is about
 * 0.8 % (composite estimator, see {@link #estimate(Union)}). Ids are hashed once (64-bit MurmurHash3 of their UTF-8 bytes) and the hash is fed to the
 * sketches. Sketches are stored and shipped in compact serialized form, as base64 text in tables.
 * Time distributions are DDSketches (see {@link #newQuantiles()}).
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

    /**
     * The estimate rounded to a whole count (exact while the sketch is in coupon mode). Always the
     * composite estimator, which reads only the registers: the default (HIP) estimate of a sketch
     * built by direct updates differs slightly from that of a union of the same values, and
     * results must not depend on how partial sketches happened to be combined.
     */
    public static long estimate(Union union) {
        return Math.round(union.getCompositeEstimate());
    }

    public static long estimate(HllSketch sketch) {
        return Math.round(sketch.getCompositeEstimate());
    }

    public static long estimate(byte[] sketch) {
        if (sketch == null || sketch.length == 0) return 0;
        return Math.round(HllSketch.wrap(Memory.wrap(sketch)).getCompositeEstimate());
    }

    public static String base64(byte[] bytes) {
        return bytes == null ? null : B64.encodeToString(bytes);
    }

    public static byte[] fromBase64(String text) {
        return text == null || text.isEmpty() ? null : B64D.decode(text);
    }

    /** Relative accuracy of the time distributions: a quantile is within 1 % of the exact value. */
    public static final double QUANTILE_ACCURACY = 0.01;

    private static final int QUANTILE_BINS = 2048;

    /**
     * A DDSketch (logarithmic buckets, 1 % relative accuracy) for time-to-convert distributions. Its
     * content is a count per bucket, so merging is exact and the result does not depend on the order
     * values arrive in — unlike KLL, whose compaction is randomised — and a streaming run, a batch
     * run and a refresh give identical medians.
     */
    public static DDSketch newQuantiles() {
        return DDSketches.logarithmicCollapsingLowestDense(QUANTILE_ACCURACY, QUANTILE_BINS);
    }

    /** DDSketch's own binary encoding (the index mapping included), read back by {@link #quantilesFromBytes}. */
    public static byte[] toBytes(DDSketch sketch) {
        GrowingByteArrayOutput out = GrowingByteArrayOutput.withDefaultInitialCapacity();
        try {
            sketch.encode(out, false);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.trimmedCopy();
    }

    public static DDSketch quantilesFromBytes(byte[] bytes) {
        try {
            return DDSketch.decode(ByteArrayInput.wrap(bytes), () -> new CollapsingLowestDenseStore(QUANTILE_BINS));
        } catch (IOException e) {
            throw new IllegalArgumentException("not a serialized DDSketch: " + e.getMessage(), e);
        }
    }

    /** The value at quantile {@code q} (0..1), or null for an empty sketch. */
    public static Double quantile(DDSketch sketch, double q) {
        return sketch.isEmpty() ? null : sketch.getValueAtQuantile(q);
    }
}
