package io.eventagg.serve;

import io.eventagg.query.AggregationStorage;
import io.eventagg.query.QueryException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A fixed number of storages (each one database connection), lent to one request at a time: a
 * JDBC connection answers one statement at a time, and the number bounds the load on the database.
 */
final class StoragePool implements AutoCloseable {
    private final BlockingQueue<AggregationStorage> idle;
    private final List<AggregationStorage> all = new ArrayList<>();
    private final Supplier<AggregationStorage> open;
    private final int size;
    private int opened;

    StoragePool(int size, Supplier<AggregationStorage> open) {
        this.size = size;
        this.open = open;
        this.idle = new ArrayBlockingQueue<>(size);
    }

    /** Answers with a storage of the pool; waits at most 30 s for one to be free. */
    <T> T with(Function<AggregationStorage, T> question) {
        AggregationStorage s = borrow();
        try {
            return question.apply(s);
        } finally {
            idle.add(s);
        }
    }

    private AggregationStorage borrow() {
        AggregationStorage s = idle.poll();
        if (s != null) return s;
        synchronized (this) {
            if (opened < size) {
                opened++;
                try {
                    s = open.get();
                } catch (RuntimeException e) {
                    opened--;
                    throw e;
                }
                all.add(s);
                return s;
            }
        }
        try {
            s = idle.poll(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw QueryException.storageFailure("interrupted while waiting for a database connection", e);
        }
        if (s == null) throw QueryException.storageFailure("every database connection was busy for 30 s", null);
        return s;
    }

    @Override
    public synchronized void close() {
        for (AggregationStorage s : all) s.close();
        all.clear();
    }
}
