package io.eventagg.sink;

/**
 * When a sink writer ({@link JdbcTableSinkWriter}) writes the rows it holds, besides a full batch
 * ({@code batch_size}) and every checkpoint: once the rows stop coming, or when the oldest has
 * waited {@code batch_interval}.
 *
 * <p>Streaming jobs write in bursts: every emit interval each operator emits its changed rows at
 * once. A fixed timer (flink-connector-jdbc's) flushes every {@code batch_interval} whatever the
 * input does, so a burst waited up to that long (half on average) after it ended before anyone could
 * see it. Here a burst is written once no row has come for a fifth of the interval (200 ms at the
 * default 1 s: more than the 100 ms Flink buffers a record before sending it on). A steady trickle
 * of rows (a dead letter now and then) would make that a write per row; a write after a pause must
 * therefore also be at least half an interval after the previous one, so the database sees at most
 * about two writes per interval and writer, as with the fixed timer. Under a steady flow (a replay
 * of history, a backfill) rows never pause, and batches are written when full or every interval.
 *
 * <p>Not thread-safe: the writer calls it from its task thread (writes and timers alike).
 */
final class FlushSchedule {
    private final int batchSize;
    private final long intervalMs;
    private final long quietMs;
    private final long spacingMs;

    private int pending;
    private long oldestPendingAt;
    private long lastWriteAt;
    private long lastFlushAt = Long.MIN_VALUE / 2;

    /**
     * @param batchSize rows after which the writer writes the batch on the spot
     * @param intervalMs the longest a row waits ({@code batch_interval}); 0 writes only full batches
     *     and on checkpoints
     */
    FlushSchedule(int batchSize, long intervalMs) {
        this.batchSize = batchSize;
        this.intervalMs = intervalMs;
        this.quietMs = Math.max(1, intervalMs / 5);
        this.spacingMs = intervalMs / 2;
    }

    /** Records a row handed to the writer; true when rows are held that a check must look at. */
    boolean written(long now) {
        lastWriteAt = now;
        if (batchSize > 0 && pending + 1 >= batchSize) {
            // The writer writes a full batch right away.
            pending = 0;
            lastFlushAt = now;
            return false;
        }
        if (pending++ == 0) {
            oldestPendingAt = now;
            return intervalMs > 0;
        }
        return false;
    }

    /** Whether the rows held should be written now. */
    boolean due(long now) {
        if (pending == 0 || intervalMs <= 0) return false;
        if (now - oldestPendingAt >= intervalMs) return true;
        return now - lastWriteAt >= quietMs && now - lastFlushAt >= spacingMs;
    }

    /** When to look again, while rows are held: the earlier of the quiet and the interval deadline. */
    long nextCheck(long now) {
        long byInterval = oldestPendingAt + intervalMs;
        long byQuiet = Math.max(lastWriteAt + quietMs, lastFlushAt + spacingMs);
        return Math.max(now + 1, Math.min(byInterval, byQuiet));
    }

    /** Records that everything held was written (a timer, a checkpoint, the end of the input). */
    void flushed(long now) {
        pending = 0;
        lastFlushAt = now;
    }

    int pending() {
        return pending;
    }
}
