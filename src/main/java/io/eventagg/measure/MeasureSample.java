package io.eventagg.measure;

/**
 * One event's value of one measure, addressed to one bucket.
 *
 * @param kind {@link #NUMBER}, {@link #NOT_A_NUMBER} (the property is there but is no JSON number)
 *     or {@link #ABSENT}
 */
public record MeasureSample(
        int measure, String environment, int granularity, long bucketStart, byte kind, double value) {
    public static final byte NUMBER = 0;
    public static final byte NOT_A_NUMBER = 1;
    public static final byte ABSENT = 2;

    /** The bucket operator's key: measure, environment, granularity and bucket. */
    public String bucketKey() {
        return measure + "\u001f" + granularity + "\u001f" + bucketStart + "\u001f" + environment;
    }
}
