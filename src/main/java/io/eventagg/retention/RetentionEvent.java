package io.eventagg.retention;

/**
 * What the retention tracker sees of an event: who, when, and for which retention definitions it is
 * a start and/or a return event (filters evaluated once, before the shuffle).
 */
public record RetentionEvent(String environment, String distinctId, long timestamp, long startMask, long returnMask) {

    public String userKey() {
        return environment + "\u001f" + distinctId;
    }
}
