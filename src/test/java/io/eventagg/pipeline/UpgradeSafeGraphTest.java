package io.eventagg.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.funnel.FunnelAccumulator;
import io.eventagg.funnel.FunnelRow;
import io.eventagg.ingest.DeadLetter;
import io.eventagg.ingest.EventParser;
import io.eventagg.ingest.FileEventSource;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.ingest.Ingested;
import io.eventagg.ingest.KafkaSettings;
import io.eventagg.ingest.LateEvent;
import io.eventagg.jobs.StreamingJob;
import io.eventagg.measure.MeasureRow;
import io.eventagg.refresh.Backfill;
import io.eventagg.refresh.FilesBackfillSource;
import io.eventagg.refresh.KafkaBackfillSource;
import io.eventagg.refresh.LateEventsTable;
import io.eventagg.refresh.RefreshRange;
import io.eventagg.retention.RetentionRow;
import io.eventagg.runtime.FlinkSettings;
import io.eventagg.sink.SinkSettings;
import io.eventagg.stickiness.StickinessRow;
import io.eventagg.testing.TestJobs;
import io.eventagg.timeseries.SeriesRow;
import io.eventagg.types.FormatSnapshot;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.transformations.PhysicalTransformation;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a savepoint needs of the dataflow, checked on the graphs the jobs really build (streaming
 * from Kafka, a local run from files in streaming and in batch, refreshes from files with late
 * events and from Kafka), without running them:
 *
 * <ul>
 *   <li>every physical operator (sources and sinks included) has an explicit uid, unique in the
 *       job: state is matched to operators by uid, and a generated one changes with the graph;
 *   <li>with generic types disabled (as the jobs run) the stream graph and the job graph build:
 *       no record type falls back to Kryo, whose format is not versioned by us;
 *   <li>the state descriptors the operators hold from the start (windows, triggers) have
 *       serializers without Kryo, ours with a versioned snapshot ({@link FormatSnapshot}); the
 *       descriptors operators create when they open are covered by the pipeline tests, which run
 *       with generic types disabled too.
 * </ul>
 *
 * The last tests break the graph on purpose and show that each check catches it.
 */
class UpgradeSafeGraphTest {
    private static final JobDefinition JOB = TestJobs.full("graph", "UTC");
    private static final SinkSettings SINK = SinkSettings.of("jdbc:duckdb:");
    private static final KafkaSettings KAFKA = new KafkaSettings(
            "127.0.0.1:9",
            List.of("events"),
            null,
            "eventagg-graph",
            KafkaSettings.Position.EARLIEST,
            KafkaSettings.Position.LATEST,
            Map.of());

    /** An input file (sources check that their files exist); nothing reads it. */
    private static final String INPUT = emptyFile();

    private static String emptyFile() {
        try {
            java.nio.file.Path f = java.nio.file.Files.createTempFile("eventagg-graph", ".jsonl");
            f.toFile().deleteOnExit();
            return f.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static StreamExecutionEnvironment env(boolean streaming) {
        Configuration conf = FlinkSettings.base(streaming);
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 2);
        return StreamExecutionEnvironment.getExecutionEnvironment(conf);
    }

    /** The local run's dataflow ({@code eventagg run}): files into the pipeline. */
    private static void filesRun(StreamExecutionEnvironment env, RunOptions run, Outputs outputs) {
        EventaggPipeline.define(
                env.fromSource(
                                FileEventSource.of(List.of(INPUT), EventParser.forJob(JOB)),
                                IngestWatermarks.strategy(JOB.watermark()),
                                "events")
                        .uid("source"),
                JOB,
                run,
                outputs);
    }

    private static RefreshRange range() {
        return new RefreshRange(JOB, Instant.parse("2024-03-01T00:00:00Z"), Instant.parse("2024-03-03T00:00:00Z"));
    }

    static Stream<Arguments> graphs() {
        JdbcOutputs jdbc = new JdbcOutputs(JOB.name(), SINK);
        List<LateEventsTable.Late> late = List.of(new LateEventsTable.Late(
                "events.jsonl:1", Ingested.dead(new DeadLetter("events.jsonl", -1, 1, "late", "{}", 2))));
        return Stream.of(
                Arguments.of("streaming job (Kafka)", true, (Consumer<StreamExecutionEnvironment>) env -> {
                    FlinkSettings.applyStreamingDefaults(env);
                    StreamingJob.define(env, JOB, KAFKA, RunOptions.streamingDefaults(), jdbc);
                }),
                Arguments.of("local run, streaming (files)", true, (Consumer<StreamExecutionEnvironment>)
                        env -> filesRun(env, RunOptions.streamingDefaults(), jdbc)),
                Arguments.of("local run, batch (files)", false, (Consumer<StreamExecutionEnvironment>)
                        env -> filesRun(env, RunOptions.batchDefaults(), jdbc)),
                Arguments.of("refresh (files and late events)", false, (Consumer<StreamExecutionEnvironment>) env ->
                        Backfill.define(env, JOB, range(), new FilesBackfillSource(List.of(INPUT)), SINK, late, 7)),
                Arguments.of("refresh (Kafka)", false, (Consumer<StreamExecutionEnvironment>)
                        env -> Backfill.define(env, JOB, range(), new KafkaBackfillSource(KAFKA), SINK, List.of(), 7)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("graphs")
    void everyOperatorHasAUniqueUidAndNoTypeFallsBackToKryo(
            String name, boolean streaming, Consumer<StreamExecutionEnvironment> define) {
        StreamExecutionEnvironment env = env(streaming);
        define.accept(env);
        assertThat(missingOrDuplicateUids(env))
                .as("operators without a unique uid in the %s", name)
                .isEmpty();
        StreamGraph graph = env.getStreamGraph();
        assertThat(graph.getJobGraph()).isNotNull();
        for (StreamNode node : graph.getStreamNodes()) {
            assertThat(node.getTransformationUID())
                    .as("uid of %s in the %s", node.getOperatorName(), name)
                    .isNotBlank();
        }
        List<StateDescriptor<?, ?>> descriptors = stateDescriptors(graph);
        if (JOB.funnels().size() > 0)
            assertThat(descriptors).as("the funnels' window state").isNotEmpty();
        for (StateDescriptor<?, ?> d : descriptors) assertVersionedWithoutKryo(d, env.getConfig());
        if (JOB.funnels().size() > 0) {
            assertThat(descriptors)
                    .as("the funnels' window state, through our serializer")
                    .anySatisfy(d -> assertThat(d.getSerializer()).isInstanceOf(FunnelAccumulator.Serializer.class));
        }
    }

    /** Physical transformations without a uid, or sharing one, as "name (uid)". */
    static List<String> missingOrDuplicateUids(StreamExecutionEnvironment env) {
        Set<Transformation<?>> all = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Transformation<?> t : env.getTransformations()) all.addAll(t.getTransitivePredecessors());
        List<String> bad = new ArrayList<>();
        Map<String, String> byUid = new HashMap<>();
        for (Transformation<?> t : all) {
            if (!(t instanceof PhysicalTransformation))
                continue; // keyBy, union, side outputs: no operator of their own
            String uid = t.getUid();
            if (uid == null || uid.isBlank()) {
                bad.add(t.getName() + " (no uid)");
            } else {
                String other = byUid.putIfAbsent(uid, t.getName());
                if (other != null) bad.add("uid " + uid + " on both " + other + " and " + t.getName());
            }
        }
        return bad;
    }

    /** The state descriptors reachable from the operators' fields (those made when an operator opens are not). */
    static List<StateDescriptor<?, ?>> stateDescriptors(StreamGraph graph) {
        List<StateDescriptor<?, ?>> found = new ArrayList<>();
        Set<Object> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (StreamNode node : graph.getStreamNodes()) {
            if (node.getOperatorFactory() instanceof SimpleOperatorFactory<?> f) {
                walk(f.getOperator(), seen, found, StateDescriptor.class, 0);
            }
        }
        return found;
    }

    static void assertVersionedWithoutKryo(StateDescriptor<?, ?> d, ExecutionConfig config) {
        d.initializeSerializerUnlessSet(config);
        TypeSerializer<?> serializer = d.getSerializer();
        List<Object> kryo = new ArrayList<>();
        walk(serializer, java.util.Collections.newSetFromMap(new IdentityHashMap<>()), kryo, null, 0);
        assertThat(kryo)
                .as("Kryo in the serializer of state %s: %s", d.getName(), serializer)
                .isEmpty();
        if (serializer.getClass().getName().startsWith("io.eventagg")) {
            assertThat(serializer.snapshotConfiguration())
                    .as("snapshot of state %s", d.getName())
                    .isInstanceOf(FormatSnapshot.class);
        }
    }

    /**
     * Collects objects of {@code type} reachable through fields (or, with a null type, Kryo
     * serializers), through eventagg's and Flink's classes, arrays and collections.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <X> void walk(Object o, Set<Object> seen, List found, Class<X> type, int depth) {
        if (o == null || depth > 12 || !seen.add(o)) return;
        Class<?> c = o.getClass();
        if (type == null ? c.getName().contains("Kryo") : type.isInstance(o)) {
            found.add(o);
            if (type != null) return;
        }
        if (c.isArray()) {
            if (!c.getComponentType().isPrimitive()) {
                for (int i = 0; i < Array.getLength(o); i++) walk(Array.get(o, i), seen, found, type, depth + 1);
            }
            return;
        }
        if (o instanceof Collection<?> col) {
            for (Object e : col) walk(e, seen, found, type, depth + 1);
            return;
        }
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                walk(e.getKey(), seen, found, type, depth + 1);
                walk(e.getValue(), seen, found, type, depth + 1);
            }
            return;
        }
        if (!c.getName().startsWith("io.eventagg") && !c.getName().startsWith("org.apache.flink")) return;
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) continue;
                try {
                    f.setAccessible(true);
                    walk(f.get(o), seen, found, type, depth + 1);
                } catch (RuntimeException | IllegalAccessException e) {
                    // A module that does not open its fields: nothing of ours inside.
                }
            }
        }
    }

    // --- the checks fail where they should ---

    /** Wraps the job's outputs and adds an operator in front of the time-series sink. */
    private static Outputs withExtra(Consumer<DataStream<SeriesRow>> extra) {
        Outputs jdbc = new JdbcOutputs(JOB.name(), SINK);
        return new Outputs() {
            @Override
            public void series(DataStream<SeriesRow> rows) {
                extra.accept(rows);
                jdbc.series(rows);
            }

            @Override
            public void funnels(DataStream<FunnelRow> rows) {
                jdbc.funnels(rows);
            }

            @Override
            public void retention(DataStream<RetentionRow> rows) {
                jdbc.retention(rows);
            }

            @Override
            public void stickiness(DataStream<StickinessRow> rows) {
                jdbc.stickiness(rows);
            }

            @Override
            public void measures(DataStream<MeasureRow> rows) {
                jdbc.measures(rows);
            }

            @Override
            public void deadLetters(DataStream<DeadLetter> deadLetters) {
                jdbc.deadLetters(deadLetters);
            }

            @Override
            public void lateEvents(DataStream<LateEvent> lateEvents) {
                jdbc.lateEvents(lateEvents);
            }

            @Override
            public void progress(DataStream<ProgressRow> progress) {
                jdbc.progress(progress);
            }
        };
    }

    @Test
    void anOperatorWithoutUidIsCaught() {
        StreamExecutionEnvironment env = env(true);
        filesRun(
                env,
                RunOptions.streamingDefaults(),
                withExtra(rows -> rows.filter(r -> r.count() > 0)
                        .name("unnamed filter")
                        .sinkTo(new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>())
                        .uid("discard")));
        assertThat(missingOrDuplicateUids(env)).containsExactly("unnamed filter (no uid)");
    }

    @Test
    void aSinkWithoutUidAndADuplicateUidAreCaught() {
        StreamExecutionEnvironment env = env(false);
        filesRun(
                env,
                RunOptions.batchDefaults(),
                withExtra(rows -> rows.filter(r -> r.count() > 0)
                        .name("copy of route")
                        .uid("route")
                        .sinkTo(new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>())
                        .name("discard")));
        assertThat(missingOrDuplicateUids(env))
                .hasSize(2)
                .contains("discard (no uid)")
                .anySatisfy(m -> assertThat(m).startsWith("uid route on both").contains("copy of route"));
    }

    /** Not a POJO (no default constructor, final fields): Flink would hand it to Kryo. */
    static final class Opaque {
        final long count;

        Opaque(long count) {
            this.count = count;
        }
    }

    @Test
    void aGenericTypeFailsTheGraph() {
        StreamExecutionEnvironment env = env(true);
        filesRun(
                env,
                RunOptions.streamingDefaults(),
                withExtra(rows -> rows.process(
                                new ProcessFunction<SeriesRow, Opaque>() {
                                    @Override
                                    public void processElement(SeriesRow r, Context ctx, Collector<Opaque> out) {
                                        out.collect(new Opaque(r.count()));
                                    }
                                },
                                TypeInformation.of(Opaque.class))
                        .uid("opaque")
                        .sinkTo(new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>())
                        .uid("discard")));
        assertThat(TypeInformation.of(Opaque.class)).isInstanceOf(GenericTypeInfo.class);
        assertThat(missingOrDuplicateUids(env)).isEmpty();
        assertThatThrownBy(() -> env.getStreamGraph().getJobGraph())
                .hasStackTraceContaining("Generic types have been disabled");
    }

    @Test
    void aStateDescriptorOfAGenericTypeIsCaught() {
        ValueStateDescriptor<Opaque> d = new ValueStateDescriptor<>("opaque", TypeInformation.of(Opaque.class));
        ExecutionConfig config = env(true).getConfig();
        assertThatThrownBy(() -> assertVersionedWithoutKryo(d, config))
                .hasStackTraceContaining("Generic types have been disabled");
    }
}
