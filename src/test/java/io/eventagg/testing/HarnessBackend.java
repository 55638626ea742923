package io.eventagg.testing;

import java.util.Arrays;
import java.util.stream.Stream;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

/**
 * The state backends the operator harness tests run on: the heap (objects in memory, what {@code
 * make test}'s end-to-end runs use by default) and RocksDB (serialized values, a copy on every
 * read), so an operator that depended on the heap handing back the object it stored fails on the
 * second. Test classes take it as a class parameter ({@code @ParameterizedClass @EnumSource}).
 */
public enum HarnessBackend {
    HEAP {
        @Override
        public StateBackend create() {
            return new HashMapStateBackend();
        }
    },
    ROCKSDB {
        @Override
        public StateBackend create() {
            return new EmbeddedRocksDBStateBackend();
        }
    };

    public abstract StateBackend create();

    /** Sets this backend on a harness before its {@code setup()}; returns the harness. */
    public <H extends AbstractStreamOperatorTestHarness<?>> H on(H harness) {
        harness.setStateBackend(create());
        return harness;
    }

    /**
     * Entries (key and namespace pairs) of the named keyed states of a harness's operator, on any
     * backend (the harness's own count works on the heap only).
     */
    public static long stateEntries(AbstractStreamOperatorTestHarness<?> harness, String... states) throws Exception {
        KeyedStateBackend<?> backend = ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend();
        long n = 0;
        for (String state : states) {
            try (Stream<?> entries = backend.getKeysAndNamespaces(state)) {
                n += entries.count();
            }
        }
        // An unknown name counts nothing on any backend; on the heap, where every entry can be
        // counted, the names must cover them all (so a check of zero entries cannot pass vacuously).
        if (backend instanceof HeapKeyedStateBackend<?> heap && heap.numKeyValueStateEntries() != n)
            throw new AssertionError("the states " + Arrays.toString(states) + " hold " + n + " of the operator's "
                    + heap.numKeyValueStateEntries() + " keyed state entries: name them all");
        return n;
    }
}
