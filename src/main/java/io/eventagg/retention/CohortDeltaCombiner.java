package io.eventagg.retention;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Batch execution only: sums the retention tracker's deltas per (definition, environment, cohort,
 * mask) before the cohort shuffle, and emits the sums at the end of the input (or when it holds
 * {@code maxEntries}). The tracker emits a delta or two per user and return period: a 5M-event
 * backfill sent millions of them into the cohorts' shuffle, whose sort had a few dozen distinct
 * (text) keys to order them by, and was the last and longest stage of the job. The cohort counter
 * adds deltas linearly, so their sums give it the same counts, the same number of updates (which
 * versions its rows) and the same cohorts, a net-zero sum included.
 *
 * <p>Streaming keeps each delta on its own: a cohort's counts change as its users come back.
 */
public final class CohortDeltaCombiner extends AbstractStreamOperator<RetentionDelta>
        implements OneInputStreamOperator<RetentionDelta, RetentionDelta>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final int maxEntries;
    private transient HashMap<Key, int[]> sums;

    /** @param maxEntries emit everything held once this many sums are held (bounds memory for masks of many periods) */
    public CohortDeltaCombiner(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    private record Key(int definition, String environment, long cohortStart, long mask) {}

    @Override
    public void open() throws Exception {
        super.open();
        sums = new HashMap<>();
    }

    @Override
    public void processElement(StreamRecord<RetentionDelta> record) {
        RetentionDelta d = record.getValue();
        int[] s = sums.computeIfAbsent(
                new Key(d.definition(), d.environment(), d.cohortStart(), d.mask()), k -> new int[2]);
        s[0] += d.sign();
        s[1] += d.updates();
        if (sums.size() >= maxEntries) emitAll();
    }

    @Override
    public void endInput() {
        emitAll();
    }

    private void emitAll() {
        for (Map.Entry<Key, int[]> e : sums.entrySet()) {
            Key k = e.getKey();
            int[] s = e.getValue();
            output.collect(new StreamRecord<>(
                    new RetentionDelta(k.definition(), k.environment(), k.cohortStart(), s[0], k.mask(), s[1])));
        }
        sums.clear();
    }
}
