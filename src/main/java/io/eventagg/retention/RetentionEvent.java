package io.eventagg.retention;

import io.eventagg.sketch.Sketches;
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

    /**
     * The user as a 64-bit hash of {@link #userKey()}: the key of batch runs (see {@link
     * RetentionPipeline}). Two users with one hash would count as one, as they already do in the
     * distinct counts, which identify users by 64-bit hashes too.
     */
    public long userHash() {
        return Sketches.idHash(userKey());
    }
}
