package io.eventagg.funnel;

import io.eventagg.config.FunnelDefinition;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.ingest.Event;
import io.eventagg.window.EmitTrigger;
import io.eventagg.window.WatermarkShift;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.CEP;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;

/**
 * The funnel dataflow, per funnel:
 *
 * <pre>
 * events ─ project (steps/exclusions matched) ─ watermark − lateness ─ keyBy user ─ gate ═ CEP "reached step k" ═ first reach per (entry day, step) ─ keyBy environment ─ entry-day window ─► rows
 * </pre>
 * (═: chained, the same user partitioning; see {@link FunnelPatterns} for the one pattern per funnel
 * and {@link FunnelGate} for what reaches it: only events that can change an answer, with the
 * attempts they end, so that a user's cost does not grow with their history.)
 *
 * The watermark is held back by the allowed lateness before CEP so that late-but-allowed events
 * still take part in matches in event-time order (exact results equal to a batch run), which
 * makes funnel rows trail the time series by that lateness.
 */
public final class FunnelPipeline {
    private FunnelPipeline() {}

    public static DataStream<FunnelRow> define(
            DataStream<Event> events, JobDefinition job, RunOptions run, long latenessMs, long emitMs) {
        DataStream<FunnelRow> all = null;
        for (int index = 0; index < job.funnels().size(); index++) {
            DataStream<FunnelRow> rows = funnel(events, job, index, run, latenessMs, emitMs);
            all = all == null ? rows : all.union(rows);
        }
        return all;
    }

    static DataStream<FunnelRow> funnel(
            DataStream<Event> events, JobDefinition job, int index, RunOptions run, long latenessMs, long emitMs) {
        FunnelDefinition f = job.funnels().get(index);
        CompiledFunnel compiled = new CompiledFunnel(f, job.propertySelection());
        String id = "funnel-" + f.name();

        DataStream<FunnelEvent> projected = events.flatMap((Event e, Collector<FunnelEvent> out) -> {
                    FunnelEvent fe = compiled.project(e);
                    if (fe != null) out.collect(fe);
                })
                .returns(TypeInformation.of(FunnelEvent.class))
                .name(id + " project")
                .uid(id + "-project");
        if (latenessMs > 0) {
            projected = projected
                    .transform(
                            id + " hold watermark",
                            TypeInformation.of(FunnelEvent.class),
                            new WatermarkShift<>(latenessMs))
                    .uid(id + "-hold-watermark");
        }
        DataStream<FunnelEvent> gated = projected
                .keyBy(FunnelEvent::userKey)
                .transform(
                        id + " gate",
                        TypeInformation.of(FunnelEvent.class),
                        new FunnelGate(
                                compiled,
                                job.calendar(),
                                !run.streaming(),
                                latenessMs + job.watermark().outOfOrderness().toMillis()))
                .uid(id + "-gate");
        KeyedStream<FunnelEvent, String> byUser =
                DataStreamUtils.reinterpretAsKeyedStream(gated, FunnelEvent::userKey, Types.STRING);

        SingleOutputStreamOperator<FunnelReach> reaches = CEP.pattern(
                        byUser, FunnelPatterns.reaching(compiled), FunnelPatterns.comparator())
                .inEventTime()
                .process(new FunnelMatch(index, compiled), TypeInformation.of(FunnelReach.class))
                .name(id + " reached steps")
                .uid(id + "-cep");

        // The matches of a user come out of the subtask that holds the user: keyed the same way
        // already (FunnelReach.userKey is FunnelEvent.userKey), so no second shuffle.
        long window = f.conversionWindowMillis();
        DataStream<FunnelContribution> contributions = DataStreamUtils.reinterpretAsKeyedStream(
                        reaches, FunnelReach::userKey, Types.STRING)
                .process(
                        new FunnelFirstReach(index, job.calendar(), window),
                        TypeInformation.of(FunnelContribution.class))
                .name(id + " first reach")
                .uid(id + "-first-reach-2");

        return contributions
                .keyBy(FunnelContribution::windowKey)
                .window(new EntryDayWindows(job.calendar()))
                .trigger(new EmitTrigger(emitMs, window))
                .allowedLateness(Duration.ofMillis(window))
                .aggregate(
                        new FunnelAggregate(f.steps().size(), job.sketchLgK()),
                        new FunnelWindowFunction(f, window, run.generation()),
                        FunnelAccumulator.typeInfo(),
                        FunnelAccumulator.typeInfo(),
                        TypeInformation.of(FunnelRow.class))
                .name(id + " entry days")
                .uid(id + "-entry-days");
    }
}
