package io.eventagg.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/** A real Kafka broker inside the test JVM (KRaft, one combined broker+controller node). */
public final class KafkaBroker implements AutoCloseable {
    private final KafkaClusterTestKit cluster;

    private KafkaBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    public static KafkaBroker start() throws Exception {
        KafkaClusterTestKit c = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "2")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        c.format();
        c.startup();
        c.waitForReadyBrokers();
        return new KafkaBroker(c);
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public void createTopic(String name, int partitions) throws Exception {
        createTopic(name, partitions, Map.of());
    }

    /** A topic with topic-level configuration, e.g. {@code max.message.bytes} for records over 1 MB. */
    public void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                    .all()
                    .get();
        }
    }

    /**
     * Sends raw record values (any bytes, null for a tombstone, up to 64 MB each) to explicit
     * partitions ({@code index % partitions}), in order, and returns where each landed.
     */
    public List<Position> produceBytes(String topic, int partitions, List<byte[]> values) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(64 << 20));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(256L << 20));
        List<Future<RecordMetadata>> sent = new ArrayList<>(values.size());
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < values.size(); i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, i % partitions, null, values.get(i))));
            }
            producer.flush();
        }
        List<Position> out = new ArrayList<>(sent.size());
        for (Future<RecordMetadata> f : sent) {
            RecordMetadata m = f.get();
            out.add(new Position(m.partition(), m.offset()));
        }
        return out;
    }

    /** Where a produced record landed. */
    public record Position(int partition, long offset) {}

    /**
     * Sends each line as one record value to an explicit partition ({@code line index % partitions}),
     * in order, and returns where each landed.
     */
    public List<Position> produce(String topic, int partitions, List<String> lines) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        List<Future<RecordMetadata>> sent = new ArrayList<>(lines.size());
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < lines.size(); i++) {
                sent.add(producer.send(new ProducerRecord<>(
                        topic, i % partitions, null, lines.get(i).getBytes(StandardCharsets.UTF_8))));
            }
            producer.flush();
        }
        List<Position> out = new ArrayList<>(sent.size());
        for (Future<RecordMetadata> f : sent) {
            RecordMetadata m = f.get();
            out.add(new Position(m.partition(), m.offset()));
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
