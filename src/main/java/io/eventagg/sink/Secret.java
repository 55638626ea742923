package io.eventagg.sink;

import java.io.Serializable;

/** A password that never shows up in logs, exceptions or {@code toString()}. */
public final class Secret implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    public static Secret of(String value) {
        return value == null ? null : new Secret(value);
    }

    /** The secret itself: only for handing to a driver. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "****";
    }
}
