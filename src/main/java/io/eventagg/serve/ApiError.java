package io.eventagg.serve;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.eventagg.config.ConfigException;
import io.eventagg.query.QueryException;
import io.eventagg.query.QueryException.Parameter;
import java.util.Locale;

/**
 * An API error's status and body: the field at fault named as the API names it (a query parameter
 * or a path segment), in the words the CLI uses for its flags.
 *
 * @param parameter the query parameter or path segment at fault; null when none is
 * @param problem what is wrong ({@link QueryException.Problem}, lower case), for programs
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ApiError(int status, String error, String parameter, String problem) {

    static ApiError of(QueryException e) {
        String p = e.parameter() == null ? null : e.parameter().id();
        String problem = e.problem().name().toLowerCase(Locale.ROOT);
        return switch (e.problem()) {
            case EMPTY_RANGE -> new ApiError(400, "from must be before to", "from", problem);
            case MISSING -> new ApiError(400, p + " is required", p, problem);
            case NOT_IN_JOB ->
                new ApiError(
                        e.parameter() == Parameter.FUNNEL
                                        || e.parameter() == Parameter.RETENTION
                                        || e.parameter() == Parameter.MEASURE
                                ? 404
                                : 400,
                        e.getMessage(),
                        p,
                        problem);
            case STORAGE_FAILURE -> new ApiError(503, e.getMessage(), null, problem);
            case BEYOND_HORIZON -> new ApiError(400, p + ": " + e.getMessage(), p, problem);
            default -> new ApiError(400, e.getMessage(), p, problem);
        };
    }

    static ApiError of(ConfigException e) {
        return new ApiError(400, e.getMessage(), e.field(), "invalid");
    }
}
