package io.eventagg.ingest;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One valid analytics event, as parsed from a JSON line or Kafka record.
 *
 * @param timestamp event time, epoch milliseconds UTC
 * @param properties the raw JSON text of the {@code properties} object, or null when absent
 * @param propertyValues values of the job's selected property keys (see {@code
 *     PropertySelection}), index-aligned; strings as-is, other JSON values as their JSON text;
 *     null where absent
 * @param propertyKinds the JSON type of each selected value ({@code PropertyKind})
 * @param source where it came from: a file path or a Kafka topic
 * @param partition the Kafka partition, or -1 for files
 * @param offset the Kafka offset, or the 1-based line number in the file
 */
@TypeInfo(EventSerializers.EventTypeInfoFactory.class)
public record Event(
        String uuid,
        String event,
        String distinctId,
        long timestamp,
        String environment,
        String sessionId,
        String properties,
        String[] propertyValues,
        byte[] propertyKinds,
        String source,
        int partition,
        long offset) {

    /** The text of selected property {@code index}, or null when the event does not have it. */
    public String property(int index) {
        return propertyValues[index];
    }
}
