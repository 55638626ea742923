package io.eventagg.query;

import static io.eventagg.query.QueryRangeTest.DAY1;
import static io.eventagg.query.QueryRangeTest.DAY2;
import static io.eventagg.query.QueryRangeTest.assertRefused;
import static io.eventagg.query.ReaderFixture.JOB;
import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.query.QueryException.Parameter;
import io.eventagg.query.QueryException.Problem;
import io.eventagg.testing.Tiers;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link RetentionReader} refuses, in domain terms, and an answer over empty tables. */
@Tag(Tiers.SERVICES)
class RetentionReaderTest {
    @TempDir
    static Path dir;

    static QueryDatabase db;
    static RetentionReader reader;

    @BeforeAll
    static void open() throws Exception {
        db = QueryDatabase.open(ReaderFixture.database(dir));
        reader = new RetentionReader(JOB, db, new RefreshCheck(db, JOB));
    }

    @AfterAll
    static void close() {
        if (db != null) db.close();
    }

    @Test
    void refusesARetentionTheJobDoesNotDefine() {
        assertRefused(
                () -> reader.read(new RetentionQuery("daily", DAY1, DAY2, false, null)),
                Parameter.RETENTION,
                Problem.NOT_IN_JOB,
                "retention 'daily' is not defined in job 'readers' (retention: weekly)");
    }

    @Test
    void refusesAnEmptyRange() {
        assertRefused(
                () -> reader.read(new RetentionQuery("weekly", DAY1, DAY1, true, null)),
                Parameter.FROM,
                Problem.EMPTY_RANGE,
                "the range is empty: from (2024-01-01T00:00:00Z) is not before to (2024-01-01T00:00:00Z)");
        assertRefused(
                () -> reader.read(new RetentionQuery("weekly", DAY1, null, true, null)),
                Parameter.TO,
                Problem.MISSING,
                "the range has no end (to)");
    }

    @Test
    void emptyTablesAnswerNoCohorts() {
        RetentionResult r = reader.read(new RetentionQuery("weekly", DAY1, DAY2, true, "production"));
        assertThat(r.cohorts()).isEmpty();
        assertThat(r.overallRetention()).isEqualTo(Arrays.asList(null, null, null));
        assertThat(r.mode()).isEqualTo("on_or_after");
        assertThat(r.incomplete()).isFalse();
    }
}
