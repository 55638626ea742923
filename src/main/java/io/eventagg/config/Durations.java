package io.eventagg.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the human durations used in job files and flags: {@code 500ms, 30s, 10m, 1h, 7d}. */
public final class Durations {
    private static final Pattern FORMAT = Pattern.compile("^(\\d+)\\s*(ms|s|m|h|d|w)?$");

    private Durations() {}

    /**
     * @param field the field path used in the error message
     * @param text a number with a unit; a bare number means seconds
     */
    public static Duration parse(String field, String text) {
        if (text == null) {
            throw new ConfigException(field, "is required (a duration such as 30s, 10m, 1h, 7d)");
        }
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            throw new ConfigException(field, "'" + text + "' is not a duration (use e.g. 500ms, 30s, 10m, 1h, 7d)");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new ConfigException(field, "'" + text + "' is too large");
        }
        String unit = m.group(2) == null ? "s" : m.group(2);
        try {
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                case "w" -> Duration.ofDays(Math.multiplyExact(n, 7));
                default -> throw new IllegalStateException(unit);
            };
        } catch (ArithmeticException e) {
            throw new ConfigException(field, "'" + text + "' is too large");
        }
    }

    /** Formats a duration back into the shortest exact unit ({@code 3600000ms -> 1h}). */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000L == 0 && ms != 0) return ms / 86_400_000L + "d";
        if (ms % 3_600_000L == 0 && ms != 0) return ms / 3_600_000L + "h";
        if (ms % 60_000L == 0 && ms != 0) return ms / 60_000L + "m";
        if (ms % 1000L == 0) return ms / 1000L + "s";
        return ms + "ms";
    }
}
