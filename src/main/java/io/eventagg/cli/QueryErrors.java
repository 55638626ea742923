package io.eventagg.cli;

import io.eventagg.query.QueryException;
import io.eventagg.query.QueryException.Parameter;

/**
 * Says a {@link QueryException} in the command line's terms: the query API names what is wrong
 * with a query, the CLI names the flag to change, in the words its messages have always used.
 */
final class QueryErrors {
    private QueryErrors() {}

    /** The exception to report: {@code e} itself when its message names no flag anyway. */
    static QueryException inFlags(QueryException e) {
        String message = switch (e.problem()) {
            case EMPTY_RANGE -> flag(Parameter.FROM) + " must be before " + flag(Parameter.TO);
            case MISSING ->
                e.parameter() == Parameter.RAW_EVENTS_TABLE
                        ? "--distinct-id needs the raw events table (" + flag(Parameter.RAW_EVENTS_TABLE)
                                + ", ClickHouse): pre-aggregated"
                                + " buckets hold sketches of users, which cannot answer for one user"
                        : flag(e.parameter()) + " is required";
            case BEYOND_HORIZON -> flag(e.parameter()) + ": " + e.getMessage();
            // Their messages speak of the question, not of a flag.
            default ->
                e.parameter() == Parameter.ACTIVE_WINDOWS || e.parameter() == Parameter.TIMEZONE
                        ? flag(e.parameter()) + ": " + e.getMessage()
                        : null;
        };
        return message == null ? e : new QueryException(e.parameter(), e.problem(), message, e);
    }

    private static String flag(Parameter p) {
        return "--" + p.id().replace('_', '-');
    }
}
