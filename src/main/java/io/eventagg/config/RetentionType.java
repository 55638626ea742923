package io.eventagg.config;

/** Whether a user joins the cohort of their first start event only, or of every period with one. */
public enum RetentionType {
    FIRST_TIME,
    RECURRING;

    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
