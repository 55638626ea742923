package io.eventagg.sink;

/**
 * The version of an output row, for upserts that keep the newest full value per natural key
 * ({@code ReplacingMergeTree(version)} in ClickHouse, a guarded {@code ON CONFLICT} in DuckDB).
 *
 * <p>Layout (63 bits): {@code generation (22) | progress (40) | final (1)}. The progress counter
 * only grows while a key's value is built (events merged, contributions applied), so a replay
 * after a restart rewrites the same or lower versions and can never replace a more complete row
 * with a less complete one; the final flag orders the closing row after the last open one with
 * the same content. The generation is 0 for live jobs and grows with every refresh, so a refresh
 * replaces rows regardless of how they were built.
 */
public final class RowVersion {
    public static final long MAX_PROGRESS = (1L << 40) - 1;
    public static final long MAX_GENERATION = (1L << 22) - 1;

    private RowVersion() {}

    public static long of(long generation, long progress, boolean isFinal) {
        if (generation < 0 || generation > MAX_GENERATION) throw new IllegalArgumentException("generation " + generation);
        long p = Math.min(Math.max(progress, 0), MAX_PROGRESS);
        return (generation << 41) | (p << 1) | (isFinal ? 1 : 0);
    }

    public static long generation(long version) {
        return version >>> 41;
    }

    /** The smallest version of a generation: rows below it were written by earlier generations. */
    public static long firstOf(long generation) {
        return generation << 41;
    }
}
