package io.eventagg.config;

import java.util.Locale;

/** Whether a user joins the cohort of their first start event only, or of every period with one. */
public enum RetentionType {
    FIRST_TIME,
    RECURRING;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
