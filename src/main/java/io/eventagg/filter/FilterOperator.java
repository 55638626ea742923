package io.eventagg.filter;

import java.util.Locale;

/** The property filter operators of funnel steps and retention events. */
public enum FilterOperator {
    EQ,
    NEQ,
    GT,
    GTE,
    LT,
    LTE,
    CONTAINS,
    NOT_CONTAINS,
    REGEX,
    NOT_REGEX,
    IN,
    NOT_IN,
    IS_SET,
    IS_NOT_SET;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static FilterOperator parse(String text) {
        for (FilterOperator op : values()) {
            if (op.id().equals(text)) return op;
        }
        return null;
    }

    /** Negative operators also match when the property is absent. */
    public boolean matchesAbsent() {
        return this == NEQ || this == NOT_CONTAINS || this == NOT_REGEX || this == NOT_IN || this == IS_NOT_SET;
    }
}
