package io.eventagg.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link BucketCalendar} remembers the last bucket per granularity: a calendar used for many
 * instants (in order, at random, across DST changes and old local-mean-time offsets) answers as a
 * fresh calendar does for each single one.
 */
class BucketCalendarCacheTest {
    private static final String[] ZONES = {
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
        "Asia/Kathmandu",
        "America/St_Johns",
        "America/Sao_Paulo",
        "Asia/Tehran",
        "Africa/Casablanca"
    };

    @Test
    void aUsedCalendarAnswersAsAFreshOne() {
        Random r = new Random(11);
        long from = Instant.parse("1890-01-01T00:00:00Z").toEpochMilli();
        long to = Instant.parse("2040-01-01T00:00:00Z").toEpochMilli();
        for (String zone : ZONES) {
            BucketCalendar used = BucketCalendar.of(zone);
            long t = from + (long) (r.nextDouble() * (to - from));
            for (int i = 0; i < 3_000; i++) {
                // mostly small steps (forward and back), sometimes a jump
                t = r.nextInt(50) == 0
                        ? from + (long) (r.nextDouble() * (to - from))
                        : t + (long) (r.nextGaussian() * 3_600_000L * 6);
                for (Granularity g : Granularity.values()) {
                    BucketCalendar fresh = BucketCalendar.of(zone);
                    long start = used.start(g, t);
                    assertThat(start)
                            .as("%s %s %s", zone, g, Instant.ofEpochMilli(t))
                            .isEqualTo(fresh.start(g, t));
                    assertThat(used.end(g, start))
                            .as("%s %s end", zone, g)
                            .isEqualTo(BucketCalendar.of(zone).end(g, start));
                }
            }
        }
    }
}
