package io.eventagg.timeseries;

import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import java.nio.charset.StandardCharsets;
import org.apache.datasketches.hash.MurmurHash3;

/**
 * The key of {@link SeriesBucketOperator}: one 64-bit number per series (the rollup or one event, in
 * one environment), granularity and <em>shard</em>, the granularity in its lowest three bits.
 *
 * <p>Minute and hour buckets are sharded by their local day: a series then spreads over many keys,
 * so two subtasks share a replay of history evenly (the rollup and the busiest event are most of
 * the rows, and as one key each they landed on whichever subtask their hash chose), and a key holds
 * at most a day of buckets (batch execution keeps one key's buckets in memory at a time). Day,
 * week and month buckets are one key per series.
 *
 * <p>A fixed-length key is what lets batch execution sort the operator's input by normalized keys
 * instead of comparing serialized strings. Two series would share keys only if their 64-bit hashes
 * collided; the operator checks the series of every partial against its bucket's and fails rather
 * than merge them.
 */
public final class SeriesKeys {
    private static final long SEED = 0x5EED5EED5EEDL;
    private static final long GRANULARITY_MASK = 7L;
    private static final Granularity[] GRANULARITIES = Granularity.values();

    private SeriesKeys() {}

    /** The hash of a series' identity (stable across JVMs and versions: it decides key groups). */
    public static long seriesHash(boolean rollup, String environment, String event) {
        String id = rollup ? "R\u001f" + environment : "E\u001f" + environment + "\u001f" + event;
        return MurmurHash3.hash(id.getBytes(StandardCharsets.UTF_8), SEED)[0];
    }

    /** The shard of a bucket: its local day for minutes and hours, 0 otherwise. */
    public static long shard(BucketCalendar calendar, Granularity g, long bucketStart) {
        return g == Granularity.MINUTE || g == Granularity.HOUR ? calendar.start(Granularity.DAY, bucketStart) : 0L;
    }

    public static long key(long seriesHash, Granularity g, long shard) {
        long h = seriesHash ^ (shard * 0x9E3779B97F4A7C15L) ^ ((long) g.ordinal() << 59);
        // murmur3's 64-bit finalizer, so that neighbouring days land in unrelated key groups
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (h & ~GRANULARITY_MASK) | g.ordinal();
    }

    public static Granularity granularity(long key) {
        return GRANULARITIES[(int) (key & GRANULARITY_MASK)];
    }
}
