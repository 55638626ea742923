package io.eventagg.funnel;

import io.eventagg.time.BucketCalendar;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * A funnel's keyed stage in front of its CEP operator, on the same user partitioning (chained): it
 * passes on only the events that can change an answer, each with the attempts CEP is to drop at it,
 * so that CEP holds at most one attempt per entry day and step for each user (see {@link
 * FunnelFrontier} for the rule). Without it a user with thousands of step-1 events inside one
 * conversion window cost CEP work on every event for every one of them.
 *
 * <p>It sees events in the order CEP does, so it waits for the watermark like CEP: in streaming
 * the user's events wait in keyed state until the watermark passes them (one event-time timer per
 * user, at the earliest waiting event), then are taken in timestamp order and forwarded with their
 * own timestamps, before the watermark itself reaches CEP. Batch execution hands each user's
 * events over sorted by timestamp, so they are taken as they come (only events of the same
 * millisecond wait for each other) and the user's end is a timer that fires when the next user
 * begins.
 *
 * <p>A custom operator rather than a {@code KeyedProcessFunction} because forwarded events must
 * keep their own timestamps (CEP orders and windows by them), which a process function's
 * collector replaces with the timer's. The timer service it uses for that ({@link
 * InternalTimerService}) is Flink's {@code @Internal} interface behind every keyed operator's
 * timers; there is no public one for custom operators.
 *
 * <p>Metrics (per subtask): gauges {@code openAttempts} (attempts kept for all users), {@code
 * waitingEvents} (events waiting for the watermark), {@code maxUserOpenAttempts} and {@code
 * maxUserWaitingEvents} (the most one user had since the task started): the per-user figures are
 * what to alert on; the first is bounded by steps × entry days in a window, the second grows with
 * one user's event rate times the allowed lateness.
 */
public final class FunnelGate extends AbstractStreamOperator<FunnelEvent>
        implements OneInputStreamOperator<FunnelEvent, FunnelEvent>, Triggerable<String, VoidNamespace> {
    private static final long serialVersionUID = 1L;

    private final CompiledFunnel funnel;
    private final BucketCalendar calendar;
    private final boolean sortedInput;
    private final long upgradeMarginMs;

    private transient FunnelFrontier frontier;
    private transient ValueState<long[]> kept;
    private transient ListState<FunnelEvent> waiting;
    private transient ValueState<Long> wakeUp;
    private transient InternalTimerService<VoidNamespace> timers;
    private transient ListState<long[]> totalsState;
    /** Present in every state this operator wrote (union: every subtask sees it after a rescale). */
    private transient ListState<Long> gateState;
    /**
     * After a restore from state written before the gate existed: forward every event until the
     * watermark reaches this (MIN_VALUE: not yet known, set by the first watermark; MAX_VALUE: not
     * restored from such state).
     */
    private transient long forwardAllUntil;

    private transient StreamRecord<FunnelEvent> reuse;
    private transient FunnelFrontier.Forward forward;
    private transient Comparator<FunnelEvent> order;

    // Batch: the current user's events of one millisecond, and the position of the next event.
    private transient List<FunnelEvent> sameMillisecond;
    private transient boolean userOpen;
    private transient int position;

    private transient long openAttempts;
    private transient long waitingEvents;
    private transient long maxUserOpenAttempts;
    private transient long maxUserWaitingEvents;

    /**
     * @param sortedInput true in batch execution, where each user's events arrive together and in
     *     timestamp order; false in streaming
     * @param upgradeMarginMs how far past the watermark events may still reach CEP (allowed lateness
     *     plus out-of-orderness): see {@link #initializeState}
     */
    public FunnelGate(CompiledFunnel funnel, BucketCalendar calendar, boolean sortedInput, long upgradeMarginMs) {
        this.funnel = funnel;
        this.calendar = calendar;
        this.sortedInput = sortedInput;
        this.upgradeMarginMs = upgradeMarginMs;
    }

    /**
     * Restores the totals behind the gauges. A restore from a savepoint taken before this operator
     * existed (CEP's state without it) puts the gate into a transition: CEP may hold attempts the
     * gate never saw, so every event goes on to CEP until those are over, one conversion window
     * (plus the margin by which CEP's buffered events may pass the watermark) after the first
     * watermark; the answers stay exact, and per-event cost is bounded again after that.
     */
    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        totalsState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>(
                        "funnel-gate-totals", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        // Totals per subtask; after a rescale each subtask sums the entries it received, so the
        // job-wide sum stays exact while one subtask's share is approximate until users expire.
        for (long[] t : totalsState.get()) {
            openAttempts += t[0];
            waitingEvents += t[1];
        }
        gateState =
                context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("funnel-gate", Types.LONG));
        forwardAllUntil = Long.MAX_VALUE;
        if (context.isRestored()) {
            boolean written = false;
            for (Long until : gateState.get()) {
                written = true;
                forwardAllUntil = until == Long.MAX_VALUE ? forwardAllUntil : until;
            }
            if (!written) forwardAllUntil = Long.MIN_VALUE;
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        totalsState.update(List.of(new long[] {openAttempts, waitingEvents}));
        gateState.update(List.of(forwardAllUntil));
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (forwardAllUntil == Long.MIN_VALUE && mark.getTimestamp() != Long.MIN_VALUE) {
            long w = mark.getTimestamp();
            forwardAllUntil = w >= Long.MAX_VALUE - funnel.definition().conversionWindowMillis() - upgradeMarginMs
                    ? Long.MAX_VALUE
                    : w + funnel.definition().conversionWindowMillis() + upgradeMarginMs;
        }
        super.processWatermark(mark);
    }

    @Override
    public void open() throws Exception {
        super.open();
        frontier = new FunnelFrontier(funnel, calendar);
        kept = getPartitionedState(
                new ValueStateDescriptor<>("funnel-attempts", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        waiting =
                getPartitionedState(new ListStateDescriptor<>("funnel-waiting", TypeInformation.of(FunnelEvent.class)));
        wakeUp = getPartitionedState(new ValueStateDescriptor<>("funnel-wake-up", Types.LONG));
        timers = getInternalTimerService("funnel-gate", VoidNamespaceSerializer.INSTANCE, this);
        reuse = new StreamRecord<>(null);
        forward = e -> output.collect(reuse.replace(e, e.timestamp()));
        order = Comparator.comparingLong(FunnelEvent::timestamp).thenComparing(FunnelPatterns.sameMillisecondOrder());
        sameMillisecond = new ArrayList<>();
        getMetricGroup().gauge("openAttempts", () -> openAttempts);
        getMetricGroup().gauge("waitingEvents", () -> waitingEvents);
        getMetricGroup().gauge("maxUserOpenAttempts", () -> maxUserOpenAttempts);
        getMetricGroup().gauge("maxUserWaitingEvents", () -> maxUserWaitingEvents);
    }

    @Override
    public void processElement(StreamRecord<FunnelEvent> record) throws Exception {
        FunnelEvent e = record.getValue();
        if (sortedInput) {
            takeSorted(e);
            return;
        }
        waiting.add(e);
        waitingEvents++;
        Long due = wakeUp.value();
        if (due == null || e.timestamp() < due) {
            if (due != null) timers.deleteEventTimeTimer(VoidNamespace.INSTANCE, due);
            timers.registerEventTimeTimer(VoidNamespace.INSTANCE, e.timestamp());
            wakeUp.update(e.timestamp());
        }
    }

    /** Batch: events of one user in timestamp order; each millisecond's events are taken together. */
    private void takeSorted(FunnelEvent e) {
        if (!userOpen) {
            userOpen = true;
            position = 0;
            frontier.load(null);
            // Fires when the user's events end (Flink's batch timers fire as the key changes).
            timers.registerEventTimeTimer(VoidNamespace.INSTANCE, e.timestamp());
        } else if (!sameMillisecond.isEmpty() && sameMillisecond.get(0).timestamp() != e.timestamp()) {
            if (e.timestamp() < sameMillisecond.get(0).timestamp()) {
                throw new IllegalStateException(
                        "batch input of funnel '" + funnel.definition().name()
                                + "' is not sorted by time within a user; sorted inputs must stay enabled (execution.sorted-inputs.enabled)");
            }
            offerSameMillisecond();
        }
        sameMillisecond.add(e);
        waitingEvents++;
        maxUserWaitingEvents = Math.max(maxUserWaitingEvents, sameMillisecond.size());
    }

    private void offerSameMillisecond() {
        sameMillisecond.sort(order);
        int before = frontier.attempts();
        for (FunnelEvent e : sameMillisecond) frontier.offer(e, position++, forward);
        waitingEvents -= sameMillisecond.size();
        sameMillisecond.clear();
        openAttempts += frontier.attempts() - before;
        maxUserOpenAttempts = Math.max(maxUserOpenAttempts, frontier.attempts());
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        if (sortedInput) {
            offerSameMillisecond();
            int before = frontier.attempts();
            frontier.finish(forward);
            openAttempts -= before;
            userOpen = false;
            return;
        }
        long watermark = timers.currentWatermark();
        wakeUp.clear();
        List<FunnelEvent> ready = new ArrayList<>();
        List<FunnelEvent> later = new ArrayList<>();
        Iterable<FunnelEvent> all = waiting.get();
        long userWaiting = 0;
        if (all != null) {
            for (FunnelEvent e : all) {
                (e.timestamp() <= watermark ? ready : later).add(e);
                userWaiting++;
            }
        }
        maxUserWaitingEvents = Math.max(maxUserWaitingEvents, userWaiting);
        frontier.load(kept.value());
        frontier.forwardAll(forwardAllUntil != Long.MAX_VALUE
                && (forwardAllUntil == Long.MIN_VALUE || watermark < forwardAllUntil));
        int before = frontier.attempts();
        if (!ready.isEmpty()) {
            ready.sort(order);
            int p = 0;
            for (FunnelEvent e : ready) frontier.offer(e, p++, forward);
            frontier.finish(forward);
            waitingEvents -= ready.size();
            if (later.isEmpty()) waiting.clear();
            else waiting.update(later);
        }
        maxUserOpenAttempts = Math.max(maxUserOpenAttempts, frontier.attempts());
        frontier.expire(watermark, forward);
        openAttempts += frontier.attempts() - before;
        long[] state = frontier.toArray();
        if (state == null) kept.clear();
        else kept.update(state);
        long next = state == null ? Long.MAX_VALUE : frontier.lastExpiry();
        for (FunnelEvent e : later) next = Math.min(next, e.timestamp());
        if (next != Long.MAX_VALUE) {
            timers.registerEventTimeTimer(VoidNamespace.INSTANCE, next);
            wakeUp.update(next);
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {}
}
