package io.eventagg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.query.QueryException;
import io.eventagg.query.QueryException.Parameter;
import io.eventagg.query.QueryException.Problem;
import org.junit.jupiter.api.Test;

/** The query API's domain errors in the CLI's words: the messages the CLI has always printed. */
class QueryErrorsTest {
    static String cli(Parameter p, Problem problem, String message) {
        return QueryErrors.inFlags(new QueryException(p, problem, message)).getMessage();
    }

    @Test
    void errorsThatNeedAFlagNameIt() {
        assertThat(cli(Parameter.FROM, Problem.EMPTY_RANGE, "the range is empty: …"))
                .isEqualTo("--from must be before --to");
        assertThat(cli(Parameter.GRANULARITY, Problem.MISSING, "the granularity is missing"))
                .isEqualTo("--granularity is required");
        assertThat(cli(
                        Parameter.RAW_EVENTS_TABLE,
                        Problem.MISSING,
                        "no raw events table configured for per-user answers: …"))
                .isEqualTo(
                        "--distinct-id needs the raw events table (--raw-events-table, ClickHouse): pre-aggregated buckets hold"
                                + " sketches of users, which cannot answer for one user");
        assertThat(cli(Parameter.ACTIVE_WINDOWS, Problem.INVALID, "a rolling window is 1 to 366 days long (asked: 0)"))
                .isEqualTo("--active-windows: a rolling window is 1 to 366 days long (asked: 0)");
        assertThat(cli(Parameter.TIMEZONE, Problem.NOT_IN_JOB, "job 'j' (UTC) has no buckets that add up to …"))
                .isEqualTo("--timezone: job 'j' (UTC) has no buckets that add up to …");
    }

    @Test
    void theCliMessageKeepsTheDomainErrorBehindIt() {
        QueryException domain = new QueryException(Parameter.TO, Problem.MISSING, "the range has no end (to)");
        QueryException cli = QueryErrors.inFlags(domain);
        assertThat(cli.getMessage()).isEqualTo("--to is required");
        assertThat(cli.parameter()).isEqualTo(Parameter.TO);
        assertThat(cli.problem()).isEqualTo(Problem.MISSING);
        assertThat(cli.getCause()).isSameAs(domain);
    }

    @Test
    void errorsThatNameNoFlagAreReportedAsTheyAre() {
        QueryException unknown = new QueryException(
                Parameter.FUNNEL, Problem.NOT_IN_JOB, "funnel 'x' is not defined in job 'j' (funnels: a)");
        assertThat(QueryErrors.inFlags(unknown)).isSameAs(unknown);
        QueryException storage = new QueryException(null, Problem.STORAGE_FAILURE, "query failed on duckdb: …");
        assertThat(QueryErrors.inFlags(storage)).isSameAs(storage);
    }
}
