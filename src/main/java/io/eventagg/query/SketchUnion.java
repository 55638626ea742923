package io.eventagg.query;

import io.eventagg.sketch.Sketches;
import org.apache.datasketches.hll.Union;

/**
 * Unique users (or sessions) over several stored rows: their HLL sketches (base64 columns) merged,
 * never their counts summed. The union is made on the first non-empty sketch and estimates 0 until
 * then.
 */
final class SketchUnion {
    private final int lgK;
    private Union union;

    SketchUnion(int lgK) {
        this.lgK = lgK;
    }

    void add(String base64) {
        byte[] b = Sketches.fromBase64(base64);
        if (b == null) return;
        Sketches.merge(union(), b);
    }

    void add(SketchUnion other) {
        if (other.union != null) union().update(other.union.getResult());
    }

    long estimate() {
        return union == null ? 0 : Sketches.estimate(union);
    }

    private Union union() {
        if (union == null) union = Sketches.newUnion(lgK);
        return union;
    }
}
