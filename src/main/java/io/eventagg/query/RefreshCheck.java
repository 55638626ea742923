package io.eventagg.query;

import io.eventagg.config.JobDefinition;
import io.eventagg.refresh.RefreshLog;
import io.eventagg.refresh.RefreshRange;
import java.sql.SQLException;
import java.time.Instant;
import java.util.function.Function;

/**
 * Whether a refresh of the job ({@link RefreshLog}) is rewriting rows that an answer reads, so that
 * the answer can say it may change in a moment ({@code refreshInProgress}).
 */
final class RefreshCheck {
    private final QueryDatabase db;
    private final JobDefinition job;

    RefreshCheck(QueryDatabase db, JobDefinition job) {
        this.db = db;
        this.job = job;
    }

    /**
     * TRUE when a running refresh rewrites keys of {@code range} — {@code rewritten} picks, from
     * what a refresh rewrites, the keys of the kind of result asked for — else null (absent from
     * JSON).
     */
    Boolean inProgress(QueryRange range, Function<RefreshRange, RefreshRange.Span> rewritten) {
        try {
            for (long[] r : RefreshLog.running(db.connection(), db.dialect(), job.name())) {
                RefreshRange.Span s =
                        rewritten.apply(new RefreshRange(job, Instant.ofEpochMilli(r[0]), Instant.ofEpochMilli(r[1])));
                if (s != null && s.from() < range.toMillis() && s.to() > range.fromMillis()) return Boolean.TRUE;
            }
            return null;
        } catch (SQLException e) {
            throw QueryException.storageFailure("reading ea_refreshes failed: " + e.getMessage(), e);
        }
    }
}
