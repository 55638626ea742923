package io.eventagg.config;

/**
 * A configuration problem that must stop the program before any job starts. The message always
 * names the offending field (as a path such as {@code funnels[0].steps[1].filters[0].operator}).
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public ConfigException(String field, String problem) {
        super(field == null || field.isEmpty() ? problem : field + ": " + problem);
        this.field = field;
    }

    public ConfigException(String field, String problem, Throwable cause) {
        super(field == null || field.isEmpty() ? problem : field + ": " + problem, cause);
        this.field = field;
    }

    /** The path of the offending field, e.g. {@code watermark.allowed_lateness}. */
    public String field() {
        return field;
    }
}
