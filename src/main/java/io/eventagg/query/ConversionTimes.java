package io.eventagg.query;

import com.datadoghq.sketch.ddsketch.DDSketch;
import io.eventagg.sketch.Sketches;

/**
 * Times to convert into one funnel step, pooled over entry days and environments: an exact mean
 * (from a sum of milliseconds) and median and p90 from the merged DDSketches.
 */
final class ConversionTimes {
    private long count;
    private long sumMs;
    private final DDSketch sketch = Sketches.newQuantiles();

    /** Adds one stored row: how many conversions, their summed seconds, their sketch (base64). */
    void add(long conversions, double sumSeconds, String sketchBase64) {
        count += conversions;
        sumMs += Math.round(sumSeconds * 1000);
        byte[] b = Sketches.fromBase64(sketchBase64);
        if (b != null) sketch.mergeWith(Sketches.quantilesFromBytes(b));
    }

    /** Mean seconds, or null when nobody converted. */
    Double meanSeconds() {
        return count == 0 ? null : sumMs / 1000.0 / count;
    }

    /** Seconds at quantile {@code q}, or null when nobody converted. */
    Double quantileSeconds(double q) {
        return Sketches.quantile(sketch, q);
    }
}
