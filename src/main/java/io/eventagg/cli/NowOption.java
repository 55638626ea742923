package io.eventagg.cli;

import java.time.Instant;
import java.time.ZoneId;
import picocli.CommandLine.Option;

/** {@code --now}: the time a job's horizons are measured from, for replays of history and tests. */
final class NowOption {
    @Option(
            names = "--now",
            paramLabel = "TIME",
            description = "The time the job's horizons (horizons: {minute: 7d}) are measured from: a date, a local"
                    + " date-time in the job's time zone or an instant (default: the wall clock). For a replay of"
                    + " history as of its end, and reproducible runs.")
    String now;

    /** The fixed time, or null for the wall clock. */
    Instant resolve(ZoneId zone) {
        return now == null ? null : TimeArgument.parse("--now", now, zone);
    }

    /** The time horizons are measured from now: the fixed one or the wall clock. */
    Instant orWallClock(ZoneId zone) {
        Instant fixed = resolve(zone);
        return fixed != null ? fixed : Instant.now();
    }
}
