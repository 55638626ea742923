package io.eventagg.config;

import io.eventagg.filter.PropertyFilter;
import io.eventagg.time.Granularity;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A retention analysis from the job file (the spec's {@code RetentionDefinition}, plus type,
 * filters and the first-time horizon).
 *
 * @param firstTimeHorizon for {@code first_time}: how long after a user's latest start event the
 *     fact that they already started is remembered (a start after a longer silence starts anew)
 */
public record RetentionDefinition(
        String name,
        String startEvent,
        String returnEvent,
        Granularity cohortPeriod,
        int periods,
        RetentionType type,
        List<PropertyFilter> startFilters,
        List<PropertyFilter> returnFilters,
        Duration firstTimeHorizon)
        implements Serializable {

    /** Periods 0..periods must fit in a 64-bit mask. */
    public static final int MAX_PERIODS = 62;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,100}");

    public static RetentionDefinition parse(ConfigNode n) {
        n.requireObject(Set.of(
                "name",
                "start_event",
                "return_event",
                "cohort_period",
                "periods",
                "type",
                "start_filters",
                "return_filters",
                "first_time_horizon"));
        String name = n.requiredString("name");
        if (!NAME.matcher(name).matches()) {
            throw new ConfigException(n.child("name"), "'" + name + "' must be 1-100 letters, digits, '_', '.' or '-'");
        }
        String periodText = n.string("cohort_period", "week");
        Granularity period = Granularity.parse(periodText);
        if (period != Granularity.DAY && period != Granularity.WEEK && period != Granularity.MONTH) {
            throw new ConfigException(n.child("cohort_period"), "'" + periodText + "' is not one of day, week, month");
        }
        String typeText = n.string("type", "first_time");
        RetentionType type;
        try {
            type = RetentionType.valueOf(typeText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(n.child("type"), "'" + typeText + "' is not one of first_time, recurring");
        }
        Duration horizon = n.duration("first_time_horizon", Duration.ofDays(365));
        int periods = n.intValue("periods", 8, 1, MAX_PERIODS);
        long nominalDays = switch (period) {
            case DAY -> 1;
            case WEEK -> 7;
            default -> 31;
        };
        if (type == RetentionType.FIRST_TIME && horizon.toDays() < nominalDays * (periods + 1)) {
            throw new ConfigException(
                    n.child("first_time_horizon"),
                    "must cover the cohort and its " + periods + " periods (at least " + nominalDays * (periods + 1)
                            + "d), found " + Durations.format(horizon));
        }
        return new RetentionDefinition(
                name,
                n.requiredString("start_event"),
                n.requiredString("return_event"),
                period,
                periods,
                type,
                List.copyOf(n.list("start_filters", FilterParser::parse)),
                List.copyOf(n.list("return_filters", FilterParser::parse)),
                horizon);
    }
}
