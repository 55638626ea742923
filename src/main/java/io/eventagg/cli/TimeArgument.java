package io.eventagg.cli;

import io.eventagg.config.Instants;
import java.time.Instant;
import java.time.ZoneId;

/** {@code --from/--to} of the query commands: see {@link Instants}, which the other entry points use directly. */
public final class TimeArgument {
    private TimeArgument() {}

    public static Instant parse(String option, String text, ZoneId zone) {
        return Instants.parse(option, text, zone);
    }
}
