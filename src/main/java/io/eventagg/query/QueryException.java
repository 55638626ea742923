package io.eventagg.query;

import java.util.Locale;

/**
 * A query that cannot be answered as asked; never a wrong number instead. The message says what is
 * wrong in the query's own terms; {@link #parameter()} and {@link #problem()} say the same for
 * programs (a command line maps them to its flags, a service to its request fields).
 */
public class QueryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The part of a query (or of the storage's set-up, for the raw events table) that is at fault. */
    public enum Parameter {
        FROM,
        TO,
        GRANULARITY,
        BREAKDOWN,
        FUNNEL,
        RETENTION,
        RAW_EVENTS_TABLE,
        ACTIVE_WINDOWS,
        EVENTS,
        PERIOD,
        MEASURE,
        TIMEZONE;

        /** Its name as a query parameter or path segment: lower case, words joined by '_'. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What is wrong with the parameter. */
    public enum Problem {
        /** It is not given, and the question needs it. */
        MISSING,
        /** The range holds nothing: from is not before to (reported against {@link Parameter#FROM}). */
        EMPTY_RANGE,
        /** The job does not compute or define what it names (a granularity, breakdown, funnel, retention). */
        NOT_IN_JOB,
        /** The range holds more buckets of the granularity than one answer may. */
        TOO_MANY_BUCKETS,
        /**
         * The range reaches before the oldest bucket the granularity keeps (the job's horizon for it);
         * reported against {@link Parameter#FROM}.
         */
        BEYOND_HORIZON,
        /** It is malformed. */
        INVALID,
        /** The database could not answer, or holds rows that cannot be read; no parameter is at fault. */
        STORAGE_FAILURE
    }

    private final Parameter parameter;
    private final Problem problem;

    public QueryException(Parameter parameter, Problem problem, String message) {
        this(parameter, problem, message, null);
    }

    public QueryException(Parameter parameter, Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.parameter = parameter;
        this.problem = problem;
    }

    /** A failure of the database (or of what it holds), not of the query. */
    public static QueryException storageFailure(String message, Throwable cause) {
        return new QueryException(null, Problem.STORAGE_FAILURE, message, cause);
    }

    /** The parameter at fault; null for a {@link Problem#STORAGE_FAILURE}. */
    public Parameter parameter() {
        return parameter;
    }

    public Problem problem() {
        return problem;
    }
}
