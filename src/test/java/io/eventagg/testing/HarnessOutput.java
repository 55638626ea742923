package io.eventagg.testing;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

/** What an operator in Flink's test harness has emitted: its records, without watermarks and other elements. */
public final class HarnessOutput {
    private HarnessOutput() {}

    /** The values of the records emitted so far, in order. */
    @SuppressWarnings("unchecked")
    public static <T> List<T> values(AbstractStreamOperatorTestHarness<?> harness) {
        List<T> out = new ArrayList<>();
        for (Object o : harness.getOutput()) if (o instanceof StreamRecord<?> r) out.add((T) r.getValue());
        return out;
    }

    /** The records emitted so far, with their timestamps, in order. */
    @SuppressWarnings("unchecked")
    public static <T> List<StreamRecord<T>> records(AbstractStreamOperatorTestHarness<?> harness) {
        List<StreamRecord<T>> out = new ArrayList<>();
        for (Object o : harness.getOutput()) if (o instanceof StreamRecord<?> r) out.add((StreamRecord<T>) r);
        return out;
    }
}
