package io.eventagg.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** A topic on a Kafka broker process, read back and sent clock events, for the end-to-end tests. */
public final class KafkaTopics {
    private final String bootstrap;
    private final String topic;
    private final int partitions;

    public KafkaTopics(String bootstrap, String topic, int partitions) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.partitions = partitions;
    }

    public List<TopicPartition> partitions() {
        List<TopicPartition> parts = new ArrayList<>();
        for (int i = 0; i < partitions; i++) parts.add(new TopicPartition(topic, i));
        return parts;
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("max.poll.records", "5000");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The end offset of every partition. */
    public Map<TopicPartition, Long> endOffsets() {
        try (KafkaConsumer<byte[], byte[]> c = consumer()) {
            return c.endOffsets(partitions(), Duration.ofMinutes(1));
        }
    }

    /** Every record now in the topic, from the beginning. */
    public List<ConsumerRecord<byte[], byte[]>> readAll(Duration timeout) {
        return read(endOffsets(), timeout);
    }

    /** The records before the given offsets, from the beginning, partition by partition in offset order. */
    public List<ConsumerRecord<byte[], byte[]>> read(Map<TopicPartition, Long> end, Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = consumer()) {
            List<TopicPartition> parts = partitions();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> pos = new HashMap<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (parts.stream().anyMatch(tp -> pos.getOrDefault(tp, 0L) < end.get(tp))) {
                if (System.nanoTime() > deadline) throw new AssertionError("could not read topic " + topic + " back");
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofSeconds(1))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() >= end.get(tp)) continue;
                    out.add(r);
                    pos.put(tp, r.offset() + 1);
                }
            }
        }
        return out;
    }

    /**
     * One "clock" event per partition at {@code timestamp} (also its Kafka timestamp), in its own
     * environment: it moves every partition's watermark past the data, closing its buckets.
     */
    public void sendClocks(long timestamp, String environment) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int part = 0; part < partitions; part++) {
                String clock = "{\"event\":\"$clock\",\"distinct_id\":\"clock\",\"timestamp\":" + timestamp
                        + ",\"environment\":\"" + environment + "\"}";
                producer.send(new ProducerRecord<>(
                                topic, part, timestamp, null, clock.getBytes(StandardCharsets.UTF_8)))
                        .get(2, TimeUnit.MINUTES);
            }
        }
    }
}
