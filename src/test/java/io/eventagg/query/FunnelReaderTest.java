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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link FunnelReader} refuses, in domain terms, and an answer over empty tables. */
@Tag(Tiers.SERVICES)
class FunnelReaderTest {
    @TempDir
    static Path dir;

    static QueryDatabase db;
    static FunnelReader reader;

    @BeforeAll
    static void open() throws Exception {
        db = QueryDatabase.open(ReaderFixture.database(dir));
        reader = new FunnelReader(JOB, db, new RefreshCheck(db, JOB));
    }

    @AfterAll
    static void close() {
        if (db != null) db.close();
    }

    @Test
    void refusesAFunnelTheJobDoesNotDefine() {
        assertRefused(
                () -> reader.read(new FunnelQuery("checkout", DAY1, DAY2, null)),
                Parameter.FUNNEL,
                Problem.NOT_IN_JOB,
                "funnel 'checkout' is not defined in job 'readers' (funnels: onboarding)");
    }

    @Test
    void refusesAnEmptyRange() {
        assertRefused(
                () -> reader.read(new FunnelQuery("onboarding", DAY2, DAY1, null)),
                Parameter.FROM,
                Problem.EMPTY_RANGE,
                "the range is empty: from (2024-01-02T00:00:00Z) is not before to (2024-01-01T00:00:00Z)");
        assertRefused(
                () -> reader.read(new FunnelQuery("onboarding", null, DAY1, null)),
                Parameter.FROM,
                Problem.MISSING,
                "the range has no start (from)");
    }

    @Test
    void emptyTablesAnswerNobodyAndIncomplete() {
        FunnelResult r = reader.read(new FunnelQuery("onboarding", DAY1, DAY2, "production"));
        assertThat(r.steps()).extracting(FunnelStepResult::users).containsExactly(0L, 0L);
        assertThat(r.overallConversionRate()).isZero();
        assertThat(r.medianTimeToConvertSeconds()).isNull();
        assertThat(r.incomplete()).as("no watermark yet").isTrue();
    }
}
