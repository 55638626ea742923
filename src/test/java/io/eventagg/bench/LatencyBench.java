package io.eventagg.bench;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.RunOptions;
import io.eventagg.ingest.Event;
import io.eventagg.ingest.EventParser;
import io.eventagg.ingest.IngestWatermarks;
import io.eventagg.ingest.Ingested;
import io.eventagg.ingest.KafkaEventSource;
import io.eventagg.ingest.KafkaSettings;
import io.eventagg.pipeline.EventaggPipeline;
import io.eventagg.pipeline.JdbcOutputs;
import io.eventagg.runtime.Counters;
import io.eventagg.runtime.FlinkJob;
import io.eventagg.runtime.FlinkSettings;
import io.eventagg.runtime.RunningJob;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import io.eventagg.testing.KafkaBroker;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Streaming latency: a Kafka broker in this JVM (KRaft), a producer sending the dataset's events
 * at a fixed rate, each stamped with the current time as its event time, and the job (streaming,
 * checkpoints every 30 s as deployed, default emit interval) writing to a DuckDB file.
 *
 * <p>Measurement: for every (environment, minute) the producer keeps the send times of the events
 * in it, in order. A reader polls the sink every {@value #POLL_MS} ms (the same DuckDB database,
 * another connection) for the minute rows of the all-events rollup ({@code ea_activity}); when a
 * row first shows {@code event_count = n}, the events produced into that bucket up to the n-th
 * that were not visible before are visible now, and each one's latency is the poll time minus its
 * send time. (Events of a bucket may be counted in a slightly different order than they were sent,
 * across partitions; the error is the skew between partitions, milliseconds.) The first
 * {@code warmup} seconds of production are not counted.
 */
public final class LatencyBench {
    static final int POLL_MS = 100;
    private static final String TOPIC = "events";

    private LatencyBench() {}

    public static Map<String, Object> run(
            JobDefinition job,
            List<String> files,
            int rate,
            int seconds,
            int warmupSeconds,
            int parallelism,
            Path workDir)
            throws Exception {
        List<byte[][]> templates = templates(job, files.get(0), 200_000);
        Path db = workDir.resolve("latency.duckdb");
        SinkSettings settings = freshDuckDb(db);
        Map<String, Object> out = new LinkedHashMap<>();
        try (KafkaBroker kafka = KafkaBroker.start()) {
            kafka.createTopic(TOPIC, parallelism);
            RunningJob running = start(job, kafka, settings, parallelism, workDir.resolve("latency-checkpoints"), null);
            JobClient client = running.client();
            try {
                while (client.getJobStatus().get() != JobStatus.RUNNING) Thread.sleep(100);
                Thread.sleep(3_000);
                Buckets buckets = new Buckets();
                AtomicBoolean producing = new AtomicBoolean(true);
                Poller poller = new Poller("jdbc:duckdb:" + db, job.name(), buckets);
                Thread pollThread = new Thread(poller, "latency-poller");
                pollThread.setDaemon(true);
                pollThread.start();
                long warmupEnd = System.currentTimeMillis() + warmupSeconds * 1000L;
                long[] produced = produce(kafka.bootstrapServers(), templates, rate, seconds, buckets, warmupEnd);
                producing.set(false);
                // Drain: until every produced event is visible or 60 s have passed.
                long deadline = System.currentTimeMillis() + 60_000;
                while (buckets.pending() > 0 && System.currentTimeMillis() < deadline) Thread.sleep(200);
                poller.stop = true;
                pollThread.join(5_000);
                Counters acc = running.counters(Duration.ofSeconds(30));
                out.put("produced", produced[0]);
                out.put("seconds", produced[1] / 1000.0);
                out.put("rate_target", rate);
                out.put("rate_achieved", produced[0] * 1000.0 / produced[1]);
                out.put("read", acc.read());
                out.put("late", acc.late());
                out.put("emit_interval_s", job.watermark().emitInterval().toMillis() / 1000.0);
                out.put("poll_ms", POLL_MS);
                out.put("not_visible", buckets.pending());
                long[] lat = buckets.latencies();
                out.put("measured", lat.length);
                if (lat.length > 0) {
                    out.put("p50_s", percentile(lat, 0.50) / 1000.0);
                    out.put("p90_s", percentile(lat, 0.90) / 1000.0);
                    out.put("p99_s", percentile(lat, 0.99) / 1000.0);
                    out.put("max_s", lat[lat.length - 1] / 1000.0);
                }
            } finally {
                client.cancel().get(1, TimeUnit.MINUTES);
            }
        }
        if (!Boolean.getBoolean("bench.keepDb")) PipelineBench.deleteDuckDb(db);
        return out;
    }

    /**
     * The full job's maximum sustainable rate from Kafka on this machine: {@code events} events
     * (the dataset's, stamped with the time they are produced) are produced into the topic before
     * the job starts; the job then drains that backlog from the earliest offset as fast as it can,
     * and the rate is the events divided by the time from the last poll of its counters that saw
     * nothing read to the first that saw everything (polled every {@value #CAPACITY_POLL_MS} ms).
     * The same broker, job, checkpoints and sink as {@link #run}; no producer competes for the cores meanwhile, so the latency run at
     * 0.8 times this rate (which has one) runs at 0.8 of a rate the job alone can keep up with.
     */
    public static Map<String, Object> capacity(
            JobDefinition job, List<String> files, long events, int parallelism, Path workDir) throws Exception {
        List<byte[][]> templates = templates(job, files.get(0), 200_000);
        Path db = workDir.resolve("capacity.duckdb");
        SinkSettings settings = freshDuckDb(db);
        Map<String, Object> out = new LinkedHashMap<>();
        try (KafkaBroker kafka = KafkaBroker.start()) {
            kafka.createTopic(TOPIC, parallelism);
            long p0 = System.nanoTime();
            long produced = produceAll(kafka.bootstrapServers(), templates, events);
            out.put("produce_seconds", (System.nanoTime() - p0) / 1e9);
            // Counters twice per poll (they travel with the heartbeats: every 10 s by default, which
            // would time a drain to the nearest ten seconds).
            RunningJob running = start(
                    job,
                    kafka,
                    settings,
                    parallelism,
                    workDir.resolve("capacity-checkpoints"),
                    Duration.ofMillis(CAPACITY_POLL_MS / 2));
            JobClient client = running.client();
            try {
                // From the last poll that saw nothing read yet to the first that saw everything: at
                // most one poll interval more than the drain itself (a small backlog may be read
                // entirely between two polls).
                long before = System.nanoTime();
                long last = -1;
                long deadline = before + TimeUnit.MINUTES.toNanos(10);
                long read = 0;
                while (System.nanoTime() < deadline) {
                    Thread.sleep(CAPACITY_POLL_MS);
                    long now = System.nanoTime();
                    if (client.getJobStatus().get() != JobStatus.RUNNING) {
                        before = now;
                        continue;
                    }
                    read = running.counters(Duration.ofSeconds(10)).read();
                    if (read == 0) before = now;
                    if (read >= produced) {
                        last = now;
                        break;
                    }
                }
                if (last < 0)
                    throw new IllegalStateException(
                            "the job read " + read + " of " + produced + " events in 10 minutes");
                double seconds = (last - before) / 1e9;
                out.put("produced", produced);
                out.put("read", read);
                out.put("seconds", seconds);
                out.put("events_per_s", produced / seconds);
            } finally {
                client.cancel().get(1, TimeUnit.MINUTES);
            }
        }
        if (!Boolean.getBoolean("bench.keepDb")) PipelineBench.deleteDuckDb(db);
        return out;
    }

    static final int CAPACITY_POLL_MS = 250;

    /** Sends {@code events} events as fast as the broker takes them; returns how many. */
    static long produceAll(String bootstrap, List<byte[][]> templates, long events) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            for (long sent = 0; sent < events; sent++) {
                producer.send(record(templates.get((int) (sent % templates.size())), System.currentTimeMillis()));
            }
            producer.flush();
        }
        return events;
    }

    /**
     * The full job from the topic's earliest offset into DuckDB, streaming, checkpoints every 30 s
     * as deployed. {@code heartbeat}: the TaskManager's heartbeat interval, which is also how often
     * the job's counters (accumulators) reach the client (Flink's 10 s when null).
     */
    static RunningJob start(
            JobDefinition job,
            KafkaBroker kafka,
            SinkSettings settings,
            int parallelism,
            Path checkpoints,
            Duration heartbeat)
            throws Exception {
        Configuration conf = FlinkSettings.local(true, parallelism);
        if (heartbeat != null) conf.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, heartbeat);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(30));
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        KafkaSettings k = new KafkaSettings(
                kafka.bootstrapServers(),
                List.of(TOPIC),
                null,
                "bench",
                KafkaSettings.Position.EARLIEST,
                null,
                Map.of());
        return FlinkJob.define(
                        conf,
                        "bench latency " + job.name(),
                        env -> EventaggPipeline.define(
                                env.fromSource(
                                                KafkaEventSource.of(k, EventParser.forJob(job)),
                                                IngestWatermarks.strategy(job.watermark()),
                                                "events")
                                        .uid("source"),
                                job,
                                RunOptions.streamingDefaults(),
                                new JdbcOutputs(job.name(), settings)))
                .start();
    }

    /** A new, empty DuckDB file with eventagg's tables (any earlier one at {@code db} deleted). */
    static SinkSettings freshDuckDb(Path db) throws Exception {
        Files.createDirectories(db.getParent());
        PipelineBench.deleteDuckDb(db);
        SinkSettings settings = SinkSettings.of("jdbc:duckdb:" + db);
        SchemaManager.apply(settings);
        return settings;
    }

    static long percentile(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    /**
     * Each template is an event with its timestamp cut out: {prefix, suffix, environment}; the
     * record is {@code prefix + now + suffix}.
     */
    static List<byte[][]> templates(JobDefinition job, String file, int max) throws Exception {
        EventParser parser = EventParser.forJob(job);
        List<byte[][]> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(Path.of(file))) {
            String line;
            long n = 0;
            while (out.size() < max && (line = r.readLine()) != null) {
                byte[] b = line.getBytes(StandardCharsets.UTF_8);
                Ingested i = parser.parse(b, 0, b.length, file, -1, ++n);
                Event e = i.event();
                if (e == null) continue;
                StringBuilder rest = new StringBuilder();
                rest.append(",\"uuid\":")
                        .append(q(e.uuid()))
                        .append(",\"event\":")
                        .append(q(e.event()))
                        .append(",\"distinct_id\":")
                        .append(q(e.distinctId()))
                        .append(",\"environment\":")
                        .append(q(e.environment()));
                if (e.sessionId() != null) rest.append(",\"session_id\":").append(q(e.sessionId()));
                if (e.properties() != null) rest.append(",\"properties\":").append(e.properties());
                rest.append('}');
                out.add(new byte[][] {
                    "{\"timestamp\":".getBytes(StandardCharsets.UTF_8),
                    rest.toString().getBytes(StandardCharsets.UTF_8),
                    e.environment().getBytes(StandardCharsets.UTF_8)
                });
            }
        }
        return out;
    }

    private static String q(String s) {
        return s == null ? "null" : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** The producers' settings: small batches sent within 5 ms, acknowledged by the leader. */
    static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A template's record stamped with {@code now}: {@code prefix + now + suffix}. */
    static ProducerRecord<byte[], byte[]> record(byte[][] tpl, long now) {
        byte[] ts = Long.toString(now).getBytes(StandardCharsets.US_ASCII);
        byte[] v = new byte[tpl[0].length + ts.length + tpl[1].length];
        System.arraycopy(tpl[0], 0, v, 0, tpl[0].length);
        System.arraycopy(ts, 0, v, tpl[0].length, ts.length);
        System.arraycopy(tpl[1], 0, v, tpl[0].length + ts.length, tpl[1].length);
        return new ProducerRecord<>(TOPIC, v);
    }

    /** Sends at {@code rate} events/s for {@code seconds}; returns {sent, elapsed ms}. */
    static long[] produce(
            String bootstrap, List<byte[][]> templates, int rate, int seconds, Buckets buckets, long warmupEnd)
            throws Exception {
        long sent = 0;
        long start = System.currentTimeMillis();
        long end = start + seconds * 1000L;
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            int t = 0;
            long now;
            while ((now = System.currentTimeMillis()) < end) {
                long due = (now - start) * rate / 1000;
                while (sent < due) {
                    byte[][] tpl = templates.get(t);
                    t = (t + 1) % templates.size();
                    producer.send(record(tpl, now));
                    buckets.produced(new String(tpl[2], StandardCharsets.UTF_8), now, now >= warmupEnd);
                    sent++;
                }
                Thread.sleep(1);
            }
            producer.flush();
        }
        return new long[] {sent, System.currentTimeMillis() - start};
    }

    /** Send times per (environment, minute), and which of them are visible. */
    static final class Buckets {
        private final Map<String, Bucket> buckets = new HashMap<>();
        private final List<long[]> latencies = new ArrayList<>();
        private long[] current = new long[1 << 16];
        private int currentSize;
        private long pending;

        static final class Bucket {
            long[] sent = new long[1024];
            boolean[] counted = new boolean[1024];
            int size;
            int visible;
        }

        synchronized void produced(String env, long now, boolean counted) {
            Bucket b = buckets.computeIfAbsent(env + "|" + (now / 60_000 * 60_000), x -> new Bucket());
            if (b.size == b.sent.length) {
                b.sent = Arrays.copyOf(b.sent, b.size * 2);
                b.counted = Arrays.copyOf(b.counted, b.size * 2);
            }
            b.sent[b.size] = now;
            b.counted[b.size] = counted;
            b.size++;
            pending++;
        }

        synchronized void visible(String env, long bucket, long count, long at) {
            Bucket b = buckets.get(env + "|" + bucket);
            if (b == null) return;
            int upTo = (int) Math.min(count, b.size);
            for (int i = b.visible; i < upTo; i++) {
                if (b.counted[i]) record(at - b.sent[i]);
                pending--;
            }
            if (upTo > b.visible) b.visible = upTo;
        }

        private void record(long ms) {
            if (currentSize == current.length) {
                latencies.add(current);
                current = new long[current.length];
                currentSize = 0;
            }
            current[currentSize++] = ms;
        }

        synchronized long pending() {
            return pending;
        }

        synchronized long[] latencies() {
            int n = currentSize;
            for (long[] l : latencies) n += l.length;
            long[] all = new long[n];
            int i = 0;
            for (long[] l : latencies) {
                System.arraycopy(l, 0, all, i, l.length);
                i += l.length;
            }
            System.arraycopy(current, 0, all, i, currentSize);
            Arrays.sort(all);
            return all;
        }
    }

    /** Polls the minute rows of the rollup. */
    static final class Poller implements Runnable {
        private final String url;
        private final String job;
        private final Buckets buckets;
        volatile boolean stop;

        Poller(String url, String job, Buckets buckets) {
            this.url = url;
            this.job = job;
            this.buckets = buckets;
        }

        @Override
        public void run() {
            try (Connection c = DriverManager.getConnection(url);
                    PreparedStatement ps = c.prepareStatement(
                            "SELECT environment, epoch_ms(bucket_start), event_count FROM ea_activity"
                                    + " WHERE job = ? AND granularity = 'minute' AND bucket_start >= epoch_ms(CAST(? AS BIGINT))")) {
                long since = System.currentTimeMillis() / 60_000 * 60_000 - 60_000;
                while (!stop) {
                    long t = System.currentTimeMillis();
                    ps.setString(1, job);
                    ps.setLong(2, since);
                    try (ResultSet rs = ps.executeQuery()) {
                        long at = System.currentTimeMillis();
                        while (rs.next()) buckets.visible(rs.getString(1), rs.getLong(2), rs.getLong(3), at);
                    }
                    long sleep = POLL_MS - (System.currentTimeMillis() - t);
                    if (sleep > 0) Thread.sleep(sleep);
                }
            } catch (Exception e) {
                e.printStackTrace();
            }
        }
    }
}
