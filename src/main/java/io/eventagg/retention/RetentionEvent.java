package io.eventagg.retention;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What the retention tracker sees of an event: who, when, and for which retention definitions it is
 * a start and/or a return event (filters evaluated once, before the shuffle).
 */
@TypeInfo(RetentionEventSerializer.Factory.class)
public record RetentionEvent(String environment, String distinctId, long timestamp, long startMask, long returnMask) {

    public String userKey() {
        return environment + "\u001f" + distinctId;
    }
}
