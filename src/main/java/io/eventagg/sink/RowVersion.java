package io.eventagg.sink;

/**
 * The version of an output row, for upserts that keep the newest full value per natural key
 * ({@code ReplacingMergeTree(version)} in ClickHouse, a version-guarded {@code MERGE} in DuckDB).
 *
 * <p>Layout (63 bits): {@code generation (22) | progress (40) | final (1)}. The progress counter
 * only grows while a key's value is built (events merged, contributions applied), so a replay
 * after a restart rewrites the same or lower versions and can never replace a more complete row
 * with a less complete one. A final row's progress is offset by {@link #FINAL_OFFSET}, so within a
 * generation a final row replaces every open row of its key whatever their counters: some counters
 * depend on the order events arrive in (a retention cohort counts the changes applied to it, and
 * the same events make fewer changes in one order than in another), and a replay after a restore
 * may see another order than the attempt that failed, which may have written an open row with a
 * higher count than the replay's complete, final one. Among final rows the counter still decides
 * (a window that is reopened after a restore by events the failed attempt had found too late holds
 * fewer of them). The generation is 0 for live jobs and grows with every refresh, so a refresh
 * replaces rows regardless of how they were built.
 */
public final class RowVersion {
    /** Final rows' progress starts here; counters are capped below it. */
    public static final long FINAL_OFFSET = 1L << 39;

    public static final long MAX_PROGRESS = FINAL_OFFSET - 1;
    public static final long MAX_GENERATION = (1L << 22) - 1;

    private RowVersion() {}

    public static long of(long generation, long progress, boolean isFinal) {
        if (generation < 0 || generation > MAX_GENERATION)
            throw new IllegalArgumentException("generation " + generation);
        long p = Math.min(Math.max(progress, 0), MAX_PROGRESS) + (isFinal ? FINAL_OFFSET : 0);
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
