package io.eventagg.ingest;

import java.io.IOException;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * A Kafka source of JSON events, one event per record value, with the same contract and
 * dead-letter handling as files: every record becomes an {@link Ingested} event or dead letter
 * (source = topic, partition, offset = record offset). Record keys and headers are ignored; an
 * empty or null value (a tombstone) is a dead letter. Watermarks are generated per partition by
 * the strategy given to {@code env.fromSource} (see {@link IngestWatermarks}), with idleness.
 */
public final class KafkaEventSource {
    private KafkaEventSource() {}

    public static KafkaSource<Ingested> of(KafkaSettings settings, EventParser parser) {
        Properties props = new Properties();
        props.putAll(settings.properties());
        KafkaSourceBuilder<Ingested> b = KafkaSource.<Ingested>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setGroupId(settings.groupId())
                .setClientIdPrefix(settings.groupId())
                .setProperties(props)
                .setStartingOffsets(offsets(settings.startingOffsets(), resetStrategy(settings)))
                .setDeserializer(new Deserializer(parser));
        if (settings.topics().isEmpty()) {
            b.setTopicPattern(Pattern.compile(settings.topicPattern()));
        } else {
            b.setTopics(settings.topics());
        }
        if (settings.bounded()) b.setBounded(offsets(settings.stopAt(), OffsetResetStrategy.LATEST));
        // Our own settings win over passed-through properties of the same name.
        b.setProperty("bootstrap.servers", settings.bootstrapServers());
        b.setProperty("group.id", settings.groupId());
        return b.build();
    }

    /** For {@code committed}: where partitions without a committed offset start (auto.offset.reset, default earliest). */
    private static OffsetResetStrategy resetStrategy(KafkaSettings settings) {
        String reset = settings.properties()
                .getOrDefault("auto.offset.reset", "earliest")
                .trim()
                .toLowerCase();
        return switch (reset) {
            case "latest" -> OffsetResetStrategy.LATEST;
            case "none" -> OffsetResetStrategy.NONE;
            default -> OffsetResetStrategy.EARLIEST;
        };
    }

    private static OffsetsInitializer offsets(KafkaSettings.Position p, OffsetResetStrategy reset) {
        return switch (p.kind()) {
            case COMMITTED -> OffsetsInitializer.committedOffsets(reset);
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
            case TIMESTAMP -> OffsetsInitializer.timestamp(p.timestampMs());
            case NONE -> throw new IllegalArgumentException("no position");
        };
    }

    /** Parses record values with the job's {@link EventParser}; never throws on bad input. */
    static final class Deserializer implements KafkaRecordDeserializationSchema<Ingested> {
        private static final long serialVersionUID = 1L;
        private static final byte[] EMPTY = new byte[0];
        private final EventParser parser;

        Deserializer(EventParser parser) {
            this.parser = parser;
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Ingested> out) throws IOException {
            byte[] value = record.value() == null ? EMPTY : record.value();
            out.collect(parser.parse(value, 0, value.length, record.topic(), record.partition(), record.offset()));
        }

        @Override
        public TypeInformation<Ingested> getProducedType() {
            return TypeInformation.of(Ingested.class);
        }
    }
}
