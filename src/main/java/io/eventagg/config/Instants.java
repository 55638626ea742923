package io.eventagg.config;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

/**
 * Parses the bounds of a range ({@code --from/--to} of queries and refreshes): an ISO-8601 instant
 * ({@code 2024-01-15T00:00:00Z}), a local date-time or a date ({@code 2024-01-15}), the latter two
 * in the job's time zone. In config because the CLI and the cluster's refresh job take the same
 * bounds.
 */
public final class Instants {
    private Instants() {}

    public static Instant parse(String option, String text, ZoneId zone) {
        if (text == null) throw new ConfigException(option, "is required");
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return LocalDateTime.parse(text).atZone(zone).toInstant();
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return LocalDate.parse(text).atStartOfDay(zone).toInstant();
        } catch (DateTimeParseException e) {
            throw new ConfigException(
                    option,
                    "'" + text
                            + "' is not a date (2024-01-15), local date-time (2024-01-15T10:00) or instant (2024-01-15T10:00:00Z)");
        }
    }
}
