package io.eventagg.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IsoTimestampsTest {

    /** A random valid timestamp of the common shape, and its expected epoch ms computed from the parts. */
    private record Sample(String text, long expectedMs) {}

    private static Sample randomSample(SplittableRandom r) {
        int year = r.nextInt(1970, 2101);
        int month = r.nextInt(1, 13);
        int day = r.nextInt(1, LocalDate.of(year, month, 1).lengthOfMonth() + 1);
        int hour = r.nextInt(24);
        int minute = r.nextInt(60);
        int second = r.nextInt(60);
        int fractionDigits = r.nextInt(10);
        StringBuilder fraction = new StringBuilder();
        for (int i = 0; i < fractionDigits; i++) fraction.append((char) ('0' + r.nextInt(10)));
        // Offsets within java.time's range, -18:00 .. +18:00.
        int offsetMinutes = r.nextInt(-18 * 60, 18 * 60 + 1);
        String offset = switch (r.nextInt(4)) {
            case 0 -> "Z";
            case 1 -> "z";
            default ->
                String.format(
                        "%s%02d:%02d",
                        offsetMinutes < 0 ? "-" : "+", Math.abs(offsetMinutes) / 60, Math.abs(offsetMinutes) % 60);
        };
        if (offset.equalsIgnoreCase("Z")) offsetMinutes = 0;
        char sep = new char[] {'T', 't', ' '}[r.nextInt(3)];
        String text = String.format("%04d-%02d-%02d%c%02d:%02d:%02d", year, month, day, sep, hour, minute, second)
                + (fractionDigits > 0 ? "." + fraction : "")
                + offset;

        int nanos = 0;
        if (fractionDigits > 0) {
            String padded = (fraction + "000000000").substring(0, 9);
            nanos = Integer.parseInt(padded);
        }
        long expected = LocalDateTime.of(year, month, day, hour, minute, second, nanos)
                .toInstant(ZoneOffset.ofTotalSeconds(offsetMinutes * 60))
                .truncatedTo(ChronoUnit.MILLIS)
                .toEpochMilli();
        return new Sample(text, expected);
    }

    @Test
    void fastPathAgreesWithJavaTimeOnRandomTimestamps() {
        SplittableRandom r = new SplittableRandom(20240229L);
        for (int i = 0; i < 30_000; i++) {
            Sample s = randomSample(r);
            // java.time's ISO parser wants 'T' (in either case) between date and time.
            String iso = s.text().substring(0, 10) + "T" + s.text().substring(11);
            long javaTime = OffsetDateTime.parse(iso).toInstant().toEpochMilli();
            long fast = IsoTimestamps.parseFast(s.text());
            long parsed = IsoTimestamps.parse(s.text());
            if (javaTime != s.expectedMs() || fast != javaTime || parsed != javaTime) {
                assertThat(javaTime).as("java.time of %s", s.text()).isEqualTo(s.expectedMs());
                assertThat(fast).as("fast path of %s", s.text()).isEqualTo(javaTime);
                assertThat(parsed).as(s.text()).isEqualTo(javaTime);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({
        "1970-01-01T00:00:00Z, 0",
        "1970-01-01T00:00:00.999+01:00, -3599001",
        "1969-12-31T23:59:59.9999-00:30, 1799999",
        "2000-02-29T12:00:00+14:00, 951775200000",
        "2100-12-31T23:59:59.999999999-12:00, 4134023999999",
        "2024-03-10T02:30:00-05:00, 1710055800000",
    })
    void knownInstants(String text, long expected) {
        // Expected values computed independently (Python datetime), cross-checked with java.time.
        OffsetDateTime odt = OffsetDateTime.parse(text);
        assertThat(odt.toInstant().toEpochMilli()).isEqualTo(expected);
        assertThat(IsoTimestamps.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2024-01-01T10:00Z", // no seconds
                "2024-01-01T10:00:00+05:30:15", // offset with seconds
                "2024-01-01T10:00:00+05", // hour-only offset
                "+12024-01-01T10:00:00Z", // expanded year
                "2024-01-01T10:00:00.Z", // java.time takes an empty fraction
            })
    void otherValidIsoShapesFallBackToJavaTime(String text) {
        assertThat(IsoTimestamps.parseFast(text)).isEqualTo(Long.MIN_VALUE);
        long expected;
        try {
            expected = OffsetDateTime.parse(text).toInstant().toEpochMilli();
        } catch (RuntimeException e) {
            assertThatThrownBy(() -> IsoTimestamps.parse(text)).isInstanceOf(IllegalArgumentException.class);
            return;
        }
        assertThat(IsoTimestamps.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "2024-13-01T00:00:00Z | is not ISO-8601 with an offset",
                "2024-00-10T00:00:00Z | is not ISO-8601 with an offset",
                "2023-02-30T00:00:00Z | is not ISO-8601 with an offset",
                "2023-02-29T12:00:00Z | is not ISO-8601 with an offset",
                "2100-02-29T12:00:00Z | is not ISO-8601 with an offset",
                "2024-04-31T12:00:00+02:00 | is not ISO-8601 with an offset",
                "2024-01-01T24:00:00Z | is not ISO-8601 with an offset",
                "2024-01-01T23:60:00Z | is not ISO-8601 with an offset",
                "2024-01-01T23:59:60Z | is not ISO-8601 with an offset",
                "2024-01-01T10:00:00.1234567890Z | is not ISO-8601 with an offset",
                "2024-01-01T10:00:00+5:00 | is not ISO-8601 with an offset",
                "2024-01-01T10:00:00+19:00 | is not ISO-8601 with an offset",
                "2024-01-01X10:00:00Z | is not ISO-8601 with an offset",
                "yesterday | is not ISO-8601 with an offset",
                "'' | is not ISO-8601 with an offset",
                "2024-01-01 | is not ISO-8601 with an offset",
                "2024-01-01T10:00:00 | has no UTC offset",
                "2024-01-01 10:00:00 | has no UTC offset",
                "2024-01-01T10:00:00.123 | has no UTC offset",
                "2024-01-01T10:00:00.123456789 | has no UTC offset",
            })
    void rejectsInvalidTimestampsWithAReason(String text, String reason) {
        assertThat(IsoTimestamps.parseFast(text))
                .as("fast path must not accept %s", text)
                .isEqualTo(Long.MIN_VALUE);
        assertThatThrownBy(() -> IsoTimestamps.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason)
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void missingOffsetMessageTellsHowToFixIt() {
        assertThatThrownBy(() -> IsoTimestamps.parse("2024-06-01T08:00:00"))
                .hasMessage("timestamp '2024-06-01T08:00:00' has no UTC offset (add Z or +HH:MM)");
    }

    @Test
    void longGarbageIsAbbreviatedInTheMessage() {
        String garbage = "x".repeat(500);
        assertThatThrownBy(() -> IsoTimestamps.parse(garbage))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x".repeat(64) + "…")
                .hasMessageNotContaining("x".repeat(65));
    }

    @Test
    void epochDayMatchesJavaTimeForEveryDayOverFourCenturies() {
        for (LocalDate d = LocalDate.of(1800, 1, 1); d.isBefore(LocalDate.of(2200, 1, 1)); d = d.plusDays(1)) {
            if (IsoTimestamps.epochDay(d.getYear(), d.getMonthValue(), d.getDayOfMonth()) != d.toEpochDay()) {
                assertThat(IsoTimestamps.epochDay(d.getYear(), d.getMonthValue(), d.getDayOfMonth()))
                        .as(d.toString())
                        .isEqualTo(d.toEpochDay());
            }
        }
    }
}
