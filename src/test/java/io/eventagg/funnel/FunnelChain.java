package io.eventagg.funnel;

import io.eventagg.testing.HarnessBackend;
import io.eventagg.testing.HarnessOutput;
import io.eventagg.time.BucketCalendar;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.operator.CepOperator;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * A funnel's gate and CEP operator in Flink's keyed test harness, as the pipeline chains them:
 * events go into the gate; at each watermark, what the gate forwards goes into CEP, then the
 * watermark.
 */
final class FunnelChain implements AutoCloseable {
    final KeyedOneInputStreamOperatorTestHarness<String, FunnelEvent, FunnelEvent> gate;
    final KeyedOneInputStreamOperatorTestHarness<String, FunnelEvent, FunnelReach> cep;
    /** Every event the gate forwarded so far. */
    final List<FunnelEvent> forwarded = new ArrayList<>();

    private FunnelChain(
            KeyedOneInputStreamOperatorTestHarness<String, FunnelEvent, FunnelEvent> gate,
            KeyedOneInputStreamOperatorTestHarness<String, FunnelEvent, FunnelReach> cep) {
        this.gate = gate;
        this.cep = cep;
    }

    /**
     * @param sorted the gate's batch mode (each user's events in timestamp order); false: streaming
     */
    static FunnelChain of(HarnessBackend backend, CompiledFunnel funnel, String zone, boolean sorted) throws Exception {
        return of(backend, funnel, zone, sorted, null, new InterceptingOperatorMetricGroup());
    }

    /**
     * @param cepState CEP's state to restore, with the gate as after a restore of a savepoint taken
     *     before it existed; null for a fresh start
     * @param cepMetrics where CEP's metrics go
     */
    static FunnelChain of(
            HarnessBackend backend,
            CompiledFunnel funnel,
            String zone,
            boolean sorted,
            OperatorSubtaskState cepState,
            InterceptingOperatorMetricGroup cepMetrics)
            throws Exception {
        var gate = backend.on(new KeyedOneInputStreamOperatorTestHarness<>(
                new FunnelGate(funnel, BucketCalendar.of(zone), sorted, 0), FunnelEvent::userKey, Types.STRING));
        if (cepState != null)
            gate.initializeState(OperatorSubtaskState.builder().build());
        gate.open();
        return new FunnelChain(gate, cep(backend, funnel, cepState, cepMetrics));
    }

    /** The funnel's CEP operator alone (restored from {@code state} unless null), its metrics in {@code metrics}. */
    static KeyedOneInputStreamOperatorTestHarness<String, FunnelEvent, FunnelReach> cep(
            HarnessBackend backend,
            CompiledFunnel funnel,
            OperatorSubtaskState state,
            InterceptingOperatorMetricGroup metrics)
            throws Exception {
        CepOperator<FunnelEvent, String, FunnelReach> op = new CepOperator<>(
                TypeInformation.of(FunnelEvent.class).createSerializer(new SerializerConfigImpl()),
                false,
                NFACompiler.compileFactory(FunnelPatterns.reaching(funnel), false),
                FunnelPatterns.comparator(),
                AfterMatchSkipStrategy.noSkip(),
                new FunnelMatch(0, funnel),
                null);
        var task = new UnregisteredMetricGroups.UnregisteredTaskMetricGroup() {
            @Override
            public InternalOperatorMetricGroup getOrAddOperator(OperatorID id, String name, Map<String, String> info) {
                return metrics;
            }
        };
        var h = backend.on(new KeyedOneInputStreamOperatorTestHarness<>(
                op,
                FunnelEvent::userKey,
                Types.STRING,
                new MockEnvironmentBuilder().setMetricGroup(task).build()));
        if (state != null) h.initializeState(state);
        h.open();
        return h;
    }

    void processElement(FunnelEvent e) throws Exception {
        gate.processElement(e, e.timestamp());
    }

    /** The watermark through the gate, what it forwarded into CEP, the watermark into CEP; how many events went on. */
    int processWatermark(long watermark) throws Exception {
        gate.processWatermark(new Watermark(watermark));
        List<StreamRecord<FunnelEvent>> records = HarnessOutput.records(gate);
        for (StreamRecord<FunnelEvent> r : records) {
            forwarded.add(r.getValue());
            cep.processElement(r.getValue(), r.getTimestamp());
        }
        gate.getOutput().clear();
        cep.processWatermark(new Watermark(watermark));
        return records.size();
    }

    /** CEP's reaches so far. */
    List<FunnelReach> reaches() {
        return HarnessOutput.values(cep);
    }

    /** Keyed state entries of the gate and of CEP (its NFA states, event queues and shared buffer). */
    long stateEntries() throws Exception {
        return HarnessBackend.stateEntries(gate, GATE_STATES) + HarnessBackend.stateEntries(cep, CEP_STATES);
    }

    static final String[] GATE_STATES = {"funnel-attempts", "funnel-waiting", "funnel-wake-up"};
    /** Flink CEP's state names (CepOperator, SharedBuffer). */
    static final String[] CEP_STATES = {
        "nfaStateName",
        "eventQueuesStateName",
        "sharedBuffer-entries-with-lockable-edges",
        "sharedBuffer-events",
        "sharedBuffer-events-count"
    };

    int numEventTimeTimers() {
        return gate.numEventTimeTimers() + cep.numEventTimeTimers();
    }

    /** CEP's shared buffer writes its cache through to state on checkpoints. */
    void snapshot(long id, long ts) throws Exception {
        gate.snapshot(id, ts);
        cep.snapshot(id, ts);
    }

    @Override
    public void close() throws Exception {
        gate.close();
        cep.close();
    }
}
