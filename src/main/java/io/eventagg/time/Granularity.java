package io.eventagg.time;

import java.util.Locale;

/** Time bucket sizes. Day, week (Monday) and month are calendar buckets in the job's zone. */
public enum Granularity {
    MINUTE,
    HOUR,
    DAY,
    WEEK,
    MONTH;

    private final String id = name().toLowerCase(Locale.ROOT);

    /** The lower-case name used in job files, tables and the CLI. */
    public String id() {
        return id;
    }

    /** Parses {@code minute|hour|day|week|month}; returns null when the text is none of them. */
    public static Granularity parse(String text) {
        if (text == null) return null;
        for (Granularity g : values()) {
            if (g.id().equals(text.trim().toLowerCase(Locale.ROOT))) return g;
        }
        return null;
    }

    /**
     * Whether every bucket of {@code coarser} is a union of whole buckets of this granularity, so
     * partial results of this granularity can be folded into it. Weeks and months do not nest.
     */
    public boolean nestsIn(Granularity coarser) {
        if (this == coarser) return true;
        if (coarser == WEEK) return this == MINUTE || this == HOUR || this == DAY;
        if (this == WEEK) return false;
        return ordinal() < coarser.ordinal();
    }
}
