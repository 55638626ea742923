package io.eventagg.ingest;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What a source emits per record: exactly one of {@code event} and {@code deadLetter} is set.
 * Serialized by {@link EventSerializers} (it crosses an exchange per event in streaming).
 */
@TypeInfo(EventSerializers.IngestedTypeInfoFactory.class)
public record Ingested(Event event, DeadLetter deadLetter) {

    public static Ingested of(Event e) {
        return new Ingested(e, null);
    }

    public static Ingested dead(DeadLetter d) {
        return new Ingested(null, d);
    }

    public boolean isEvent() {
        return event != null;
    }
}
