package io.eventagg.config;

import java.time.DateTimeException;
import java.time.ZoneId;

/** Time-zone names as job files, flags and API parameters give them: IANA names (or UTC offsets). */
public final class TimeZones {
    private TimeZones() {}

    /** @param field the field, flag or parameter named in the error */
    public static ZoneId parse(String field, String text) {
        try {
            return ZoneId.of(text.strip());
        } catch (DateTimeException | NullPointerException e) {
            throw new ConfigException(field, "'" + text + "' is not an IANA time zone such as UTC or Europe/Berlin");
        }
    }
}
