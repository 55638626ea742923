package io.eventagg.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * BucketCalendar against its contract: named DST / calendar cases with expectations computed with
 * java.time directly, and brute-force invariants over many zones around every DST transition of
 * 2023-2025 and around month and year boundaries.
 */
class BucketCalendarTest {

    private static final long MINUTE = 60_000L;
    private static final long HOUR = 3_600_000L;

    private static long ms(String zone, String localDateTime) {
        return LocalDateTime.parse(localDateTime)
                .atZone(ZoneId.of(zone))
                .toInstant()
                .toEpochMilli();
    }

    /** An instant from a local date-time and an explicit offset, to pick one side of an overlap. */
    private static long at(String localDateTime, String offset) {
        return LocalDateTime.parse(localDateTime)
                .toInstant(ZoneOffset.of(offset))
                .toEpochMilli();
    }

    private static long utc(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    // ------------------------------------------------------------------------------------------
    // Named cases
    // ------------------------------------------------------------------------------------------

    @Nested
    class DstDays {
        @Test
        void newYorkSpringForwardDayIs23Hours() {
            BucketCalendar cal = BucketCalendar.of("America/New_York");
            long s = cal.start(Granularity.DAY, ms("America/New_York", "2024-03-10T12:00"));
            assertThat(s).isEqualTo(utc("2024-03-10T05:00:00Z")); // 00:00 EST
            long e = cal.end(Granularity.DAY, s);
            assertThat(e).isEqualTo(utc("2024-03-11T04:00:00Z")); // 00:00 EDT
            assertThat(Duration.ofMillis(e - s)).isEqualTo(Duration.ofHours(23));
        }

        @Test
        void newYorkFallBackDayIs25Hours() {
            BucketCalendar cal = BucketCalendar.of("America/New_York");
            long s = cal.start(Granularity.DAY, ms("America/New_York", "2024-11-03T23:59:59.999"));
            assertThat(s).isEqualTo(utc("2024-11-03T04:00:00Z"));
            long e = cal.end(Granularity.DAY, s);
            assertThat(e).isEqualTo(utc("2024-11-04T05:00:00Z"));
            assertThat(Duration.ofMillis(e - s)).isEqualTo(Duration.ofHours(25));
        }

        @Test
        void berlinDstDays() {
            BucketCalendar cal = BucketCalendar.of("Europe/Berlin");
            long spring = cal.start(Granularity.DAY, ms("Europe/Berlin", "2024-03-31T04:00"));
            assertThat(spring).isEqualTo(utc("2024-03-30T23:00:00Z"));
            assertThat(cal.end(Granularity.DAY, spring) - spring).isEqualTo(23 * HOUR);

            long fall = cal.start(Granularity.DAY, ms("Europe/Berlin", "2024-10-27T02:30"));
            assertThat(fall).isEqualTo(utc("2024-10-26T22:00:00Z"));
            assertThat(cal.end(Granularity.DAY, fall) - fall).isEqualTo(25 * HOUR);
            assertThat(cal.end(Granularity.DAY, fall)).isEqualTo(utc("2024-10-27T23:00:00Z"));
        }

        @Test
        void weekAndMonthContainingADstDayAreShortenedOrLengthened() {
            BucketCalendar cal = BucketCalendar.of("Europe/Berlin");
            long week = cal.start(Granularity.WEEK, ms("Europe/Berlin", "2024-03-31T12:00"));
            assertThat(week).isEqualTo(ms("Europe/Berlin", "2024-03-25T00:00"));
            assertThat(cal.end(Granularity.WEEK, week) - week).isEqualTo(7 * 24 * HOUR - HOUR);

            long month = cal.start(Granularity.MONTH, ms("Europe/Berlin", "2024-10-15T00:00"));
            assertThat(month).isEqualTo(utc("2024-09-30T22:00:00Z"));
            assertThat(cal.end(Granularity.MONTH, month)).isEqualTo(utc("2024-10-31T23:00:00Z"));
            assertThat(cal.end(Granularity.MONTH, month) - month).isEqualTo(31 * 24 * HOUR + HOUR);
        }
    }

    @Nested
    class DstHours {
        @Test
        void newYorkFallBackHourOccursTwiceAsTwoBuckets() {
            BucketCalendar cal = BucketCalendar.of("America/New_York");
            long firstOccurrence = at("2024-11-03T01:30", "-04:00");
            long secondOccurrence = at("2024-11-03T01:30", "-05:00");
            assertThat(secondOccurrence - firstOccurrence).isEqualTo(HOUR);

            long b1 = cal.start(Granularity.HOUR, firstOccurrence);
            long b2 = cal.start(Granularity.HOUR, secondOccurrence);
            assertThat(b1).isEqualTo(utc("2024-11-03T05:00:00Z"));
            assertThat(b2).isEqualTo(utc("2024-11-03T06:00:00Z"));
            assertThat(cal.end(Granularity.HOUR, b1)).isEqualTo(b2);
            assertThat(cal.end(Granularity.HOUR, b2)).isEqualTo(utc("2024-11-03T07:00:00Z"));
            // Both buckets are labelled 01:00 local; only the offset differs.
            assertThat(Instant.ofEpochMilli(b1).atZone(cal.zone()).toLocalTime())
                    .isEqualTo(LocalTime.of(1, 0));
            assertThat(Instant.ofEpochMilli(b2).atZone(cal.zone()).toLocalTime())
                    .isEqualTo(LocalTime.of(1, 0));
            // The last minute of the first occurrence and the first minute of the second.
            assertThat(cal.start(Granularity.HOUR, b2 - 1)).isEqualTo(b1);
            assertThat(cal.start(Granularity.MINUTE, b2 - 1)).isEqualTo(b2 - MINUTE);
            assertThat(cal.bucketsBetween(Granularity.HOUR, b1, b2)).isEqualTo(1);
            assertThat(cal.plus(Granularity.HOUR, b1, 2)).isEqualTo(utc("2024-11-03T07:00:00Z"));
        }

        @Test
        void newYorkSpringForwardHourDoesNotExist() {
            BucketCalendar cal = BucketCalendar.of("America/New_York");
            long oneAm = ms("America/New_York", "2024-03-10T01:00");
            assertThat(oneAm).isEqualTo(utc("2024-03-10T06:00:00Z"));
            long next = cal.end(Granularity.HOUR, cal.start(Granularity.HOUR, oneAm + 59 * MINUTE));
            assertThat(next).isEqualTo(utc("2024-03-10T07:00:00Z"));
            assertThat(Instant.ofEpochMilli(next).atZone(cal.zone()).toLocalTime())
                    .isEqualTo(LocalTime.of(3, 0));
            assertThat(cal.start(Granularity.HOUR, next)).isEqualTo(next);
            assertThat(cal.end(Granularity.HOUR, next)).isEqualTo(next + HOUR);
            assertThat(cal.bucketsBetween(Granularity.HOUR, oneAm, next)).isEqualTo(1);
            // Midnight .. 03:00 EDT: three hour buckets in 23 h of day (00, 01, 03).
            long midnight = ms("America/New_York", "2024-03-10T00:00");
            assertThat(cal.plus(Granularity.HOUR, midnight, 2)).isEqualTo(next);
        }

        @Test
        void berlinSpringForwardHour() {
            BucketCalendar cal = BucketCalendar.of("Europe/Berlin");
            long t = ms("Europe/Berlin", "2024-03-31T03:10"); // first local hour after the gap
            long s = cal.start(Granularity.HOUR, t);
            assertThat(s).isEqualTo(utc("2024-03-31T01:00:00Z"));
            assertThat(cal.start(Granularity.HOUR, s - 1)).isEqualTo(utc("2024-03-31T00:00:00Z"));
            assertThat(cal.end(Granularity.HOUR, s - HOUR)).isEqualTo(s);
        }

        @Test
        void berlinFallBackHourOccursTwice() {
            BucketCalendar cal = BucketCalendar.of("Europe/Berlin");
            long a = cal.start(Granularity.HOUR, at("2024-10-27T02:15", "+02:00"));
            long b = cal.start(Granularity.HOUR, at("2024-10-27T02:15", "+01:00"));
            assertThat(a).isEqualTo(utc("2024-10-27T00:00:00Z"));
            assertThat(b).isEqualTo(utc("2024-10-27T01:00:00Z"));
            assertThat(cal.end(Granularity.HOUR, a)).isEqualTo(b);
        }

        @Test
        void kolkataHoursStartAtHalfPastUtcAndDaysAt1830Utc() {
            BucketCalendar cal = BucketCalendar.of("Asia/Kolkata");
            long t = utc("2024-05-10T10:00:00Z"); // 15:30 local
            assertThat(cal.start(Granularity.HOUR, t)).isEqualTo(utc("2024-05-10T09:30:00Z"));
            assertThat(cal.end(Granularity.HOUR, utc("2024-05-10T09:30:00Z"))).isEqualTo(utc("2024-05-10T10:30:00Z"));
            assertThat(cal.start(Granularity.DAY, t)).isEqualTo(utc("2024-05-09T18:30:00Z"));
            assertThat(cal.end(Granularity.DAY, utc("2024-05-09T18:30:00Z"))).isEqualTo(utc("2024-05-10T18:30:00Z"));
            // 19:00Z is already the next local day.
            assertThat(cal.start(Granularity.DAY, utc("2024-05-10T19:00:00Z"))).isEqualTo(utc("2024-05-10T18:30:00Z"));
            assertThat(cal.start(Granularity.MINUTE, utc("2024-05-10T10:00:59.999Z")))
                    .isEqualTo(t);
        }

        @Test
        void kathmanduHoursStartAtQuarterPastUtc() {
            BucketCalendar cal = BucketCalendar.of("Asia/Kathmandu");
            long t = utc("2024-05-10T10:00:00Z"); // 15:45 local
            assertThat(cal.start(Granularity.HOUR, t)).isEqualTo(utc("2024-05-10T09:15:00Z"));
            assertThat(cal.end(Granularity.HOUR, utc("2024-05-10T09:15:00Z"))).isEqualTo(utc("2024-05-10T10:15:00Z"));
            assertThat(cal.start(Granularity.DAY, t)).isEqualTo(utc("2024-05-09T18:15:00Z"));
        }

        @Test
        void lordHoweHoursFollowTheHalfHourOffsets() {
            BucketCalendar cal = BucketCalendar.of("Australia/Lord_Howe");
            // January: +11:00, hours start on the UTC hour. June: +10:30, at half past.
            assertThat(cal.start(Granularity.HOUR, utc("2024-01-15T10:45:00Z"))).isEqualTo(utc("2024-01-15T10:00:00Z"));
            assertThat(cal.start(Granularity.HOUR, utc("2024-06-15T10:45:00Z"))).isEqualTo(utc("2024-06-15T10:30:00Z"));
            assertThat(cal.start(Granularity.HOUR, utc("2024-06-15T10:15:00Z"))).isEqualTo(utc("2024-06-15T09:30:00Z"));
        }

        @Test
        void lordHoweSpringForwardLeavesAHalfHourBucket() {
            // 2024-10-06 02:00 +10:30 -> 02:30 +11:00 (15:30Z).
            BucketCalendar cal = BucketCalendar.of("Australia/Lord_Howe");
            long gapEnd = utc("2024-10-05T15:30:00Z");
            assertThat(ms("Australia/Lord_Howe", "2024-10-06T02:30")).isEqualTo(gapEnd);
            long oneAm = ms("Australia/Lord_Howe", "2024-10-06T01:00");
            assertThat(cal.end(Granularity.HOUR, oneAm)).isEqualTo(gapEnd);
            long twoAm = cal.start(Granularity.HOUR, ms("Australia/Lord_Howe", "2024-10-06T02:45"));
            assertThat(twoAm).isEqualTo(gapEnd);
            long threeAm = ms("Australia/Lord_Howe", "2024-10-06T03:00");
            assertThat(cal.end(Granularity.HOUR, twoAm)).isEqualTo(threeAm);
            assertThat(threeAm - twoAm).isEqualTo(30 * MINUTE);
            // 01:00, 02:30 and 03:00 are three consecutive buckets.
            assertThat(cal.plus(Granularity.HOUR, oneAm, 2)).isEqualTo(threeAm);
            assertThat(cal.bucketsBetween(Granularity.HOUR, oneAm, threeAm)).isEqualTo(2);
            assertThat(cal.bucketsBetween(Granularity.HOUR, twoAm, threeAm)).isEqualTo(1);
            assertThat(cal.bucketsBetween(Granularity.HOUR, threeAm, oneAm)).isEqualTo(-2);
        }

        @Test
        void lordHoweFallBackHalfHourThatRepeatsIsItsOwnBucket() {
            // 2024-04-07 02:00 +11:00 (15:00Z) -> 01:30 +10:30: 01:30-02:00 happens twice.
            BucketCalendar cal = BucketCalendar.of("Australia/Lord_Howe");
            long firstOneAm = at("2024-04-07T01:00", "+11:00");
            long change = utc("2024-04-06T15:00:00Z");
            long twoAm = at("2024-04-07T02:00", "+10:30");
            assertThat(at("2024-04-07T01:30", "+10:30")).isEqualTo(change);
            assertThat(cal.start(Granularity.HOUR, at("2024-04-07T01:45", "+11:00")))
                    .isEqualTo(firstOneAm);
            assertThat(cal.end(Granularity.HOUR, firstOneAm)).isEqualTo(change);
            assertThat(cal.start(Granularity.HOUR, at("2024-04-07T01:45", "+10:30")))
                    .isEqualTo(change);
            assertThat(cal.end(Granularity.HOUR, change)).isEqualTo(twoAm);
            assertThat(twoAm - change).isEqualTo(30 * MINUTE);
            assertThat(cal.start(Granularity.HOUR, twoAm)).isEqualTo(twoAm);
            assertThat(cal.bucketsBetween(Granularity.HOUR, firstOneAm, twoAm)).isEqualTo(2);
            assertThat(cal.plus(Granularity.HOUR, firstOneAm, 2)).isEqualTo(twoAm);
        }

        @Test
        void chathamSpringForwardAt0245() {
            // 2023-09-24 02:45 +12:45 -> 03:45 +13:45 (14:00Z): local 03:00 does not exist.
            BucketCalendar cal = BucketCalendar.of("Pacific/Chatham");
            long change = utc("2023-09-23T14:00:00Z");
            long t = at("2023-09-24T03:50", "+13:45");
            long s = cal.start(Granularity.HOUR, t);
            assertThat(s).isEqualTo(change);
            assertThat(cal.end(Granularity.HOUR, s)).isEqualTo(at("2023-09-24T04:00", "+13:45"));
            long twoAm = at("2023-09-24T02:00", "+12:45");
            assertThat(cal.start(Granularity.HOUR, change - 1)).isEqualTo(twoAm);
            assertThat(cal.end(Granularity.HOUR, twoAm)).isEqualTo(change);
            assertThat(cal.bucketsBetween(Granularity.HOUR, twoAm, at("2023-09-24T05:00", "+13:45")))
                    .isEqualTo(3);
        }

        @Test
        void chathamFallBackAt0345() {
            // 2023-04-02 03:45 +13:45 -> 02:45 +12:45 (14:00Z): 02:45-03:45 happens twice.
            BucketCalendar cal = BucketCalendar.of("Pacific/Chatham");
            long change = utc("2023-04-01T14:00:00Z");
            long threeAm = at("2023-04-02T03:00", "+13:45");
            assertThat(cal.start(Granularity.HOUR, at("2023-04-02T03:30", "+13:45")))
                    .isEqualTo(threeAm);
            assertThat(cal.end(Granularity.HOUR, threeAm)).isEqualTo(change);
            long t = at("2023-04-02T02:50", "+12:45");
            assertThat(cal.start(Granularity.HOUR, t)).isEqualTo(change);
            assertThat(cal.end(Granularity.HOUR, change)).isEqualTo(at("2023-04-02T03:00", "+12:45"));
            assertThat(cal.start(Granularity.HOUR, at("2023-04-02T03:30", "+12:45")))
                    .isEqualTo(at("2023-04-02T03:00", "+12:45"));
        }
    }

    @Nested
    class CalendarBoundaries {
        @ParameterizedTest
        @org.junit.jupiter.params.provider.ValueSource(
                strings = {"UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"})
        void yearEnd(String zone) {
            BucketCalendar cal = BucketCalendar.of(zone);
            long lastMs = ms(zone, "2023-12-31T23:59:59.999");
            long newYear = ms(zone, "2024-01-01T00:00");
            assertThat(cal.start(Granularity.DAY, lastMs)).isEqualTo(ms(zone, "2023-12-31T00:00"));
            assertThat(cal.end(Granularity.DAY, ms(zone, "2023-12-31T00:00"))).isEqualTo(newYear);
            assertThat(cal.start(Granularity.DAY, newYear)).isEqualTo(newYear);
            assertThat(cal.start(Granularity.MONTH, lastMs)).isEqualTo(ms(zone, "2023-12-01T00:00"));
            assertThat(cal.end(Granularity.MONTH, ms(zone, "2023-12-01T00:00"))).isEqualTo(newYear);
            assertThat(cal.start(Granularity.HOUR, lastMs)).isEqualTo(ms(zone, "2023-12-31T23:00"));
            assertThat(cal.end(Granularity.HOUR, ms(zone, "2023-12-31T23:00"))).isEqualTo(newYear);
            assertThat(cal.start(Granularity.MINUTE, lastMs)).isEqualTo(newYear - MINUTE);

            // 2024-01-01 is a Monday: the ISO week 2024-W01 starts exactly at the new year.
            assertThat(LocalDate.of(2024, 1, 1).getDayOfWeek()).isEqualTo(DayOfWeek.MONDAY);
            assertThat(cal.start(Granularity.WEEK, ms(zone, "2024-01-03T08:00")))
                    .isEqualTo(newYear);
            assertThat(cal.start(Granularity.WEEK, lastMs)).isEqualTo(ms(zone, "2023-12-25T00:00"));
            assertThat(cal.end(Granularity.WEEK, ms(zone, "2023-12-25T00:00"))).isEqualTo(newYear);

            // The week of Monday 2022-12-26 spans the year boundary into 2023.
            long weekStart = ms(zone, "2022-12-26T00:00");
            assertThat(cal.start(Granularity.WEEK, ms(zone, "2023-01-01T23:59:59.999")))
                    .isEqualTo(weekStart);
            assertThat(cal.start(Granularity.WEEK, ms(zone, "2022-12-31T12:00")))
                    .isEqualTo(weekStart);
            assertThat(cal.end(Granularity.WEEK, weekStart)).isEqualTo(ms(zone, "2023-01-02T00:00"));
            assertThat(cal.bucketsBetween(Granularity.WEEK, weekStart, newYear)).isEqualTo(53);
            assertThat(cal.bucketsBetween(Granularity.MONTH, ms(zone, "2023-12-01T00:00"), newYear))
                    .isEqualTo(1);
            assertThat(cal.plus(Granularity.MONTH, ms(zone, "2023-11-01T00:00"), 2))
                    .isEqualTo(newYear);
        }

        @ParameterizedTest
        @org.junit.jupiter.params.provider.ValueSource(strings = {"UTC", "Europe/Berlin", "Asia/Kathmandu"})
        void leapDay(String zone) {
            BucketCalendar cal = BucketCalendar.of(zone);
            long feb2024 = cal.start(Granularity.MONTH, ms(zone, "2024-02-29T13:00"));
            assertThat(feb2024).isEqualTo(ms(zone, "2024-02-01T00:00"));
            assertThat(cal.end(Granularity.MONTH, feb2024)).isEqualTo(ms(zone, "2024-03-01T00:00"));
            assertThat(cal.end(Granularity.MONTH, feb2024) - feb2024).isEqualTo(29 * 24 * HOUR);
            long feb2023 = cal.start(Granularity.MONTH, ms(zone, "2023-02-28T23:00"));
            assertThat(cal.end(Granularity.MONTH, feb2023) - feb2023).isEqualTo(28 * 24 * HOUR);

            long leap = cal.start(Granularity.DAY, ms(zone, "2024-02-29T23:59:59.999"));
            assertThat(leap).isEqualTo(ms(zone, "2024-02-29T00:00"));
            assertThat(cal.end(Granularity.DAY, leap)).isEqualTo(ms(zone, "2024-03-01T00:00"));
            assertThat(cal.plus(Granularity.DAY, ms(zone, "2024-02-28T00:00"), 2))
                    .isEqualTo(ms(zone, "2024-03-01T00:00"));
            assertThat(cal.plus(Granularity.DAY, ms(zone, "2023-02-28T00:00"), 1))
                    .isEqualTo(ms(zone, "2023-03-01T00:00"));
            assertThat(cal.bucketsBetween(Granularity.DAY, ms(zone, "2024-02-01T00:00"), ms(zone, "2024-03-01T00:00")))
                    .isEqualTo(29);
            // Month arithmetic from Jan 31 lands on the first of the month, not on a clamped day.
            assertThat(cal.plus(Granularity.MONTH, ms(zone, "2024-01-01T00:00"), 1))
                    .isEqualTo(feb2024);
        }

        @Test
        void midnightGapStartsTheDayAtTheFirstValidInstant() {
            // America/Santiago 2024-09-08: 00:00 -04:00 jumps to 01:00 -03:00 (04:00Z).
            BucketCalendar cal = BucketCalendar.of("America/Santiago");
            long gapEnd = utc("2024-09-08T04:00:00Z");
            assertThat(Instant.ofEpochMilli(gapEnd).atZone(cal.zone()).toLocalDateTime())
                    .isEqualTo(LocalDateTime.parse("2024-09-08T01:00"));
            assertThat(cal.start(Granularity.DAY, utc("2024-09-08T12:00:00Z"))).isEqualTo(gapEnd);
            assertThat(cal.start(Granularity.DAY, gapEnd)).isEqualTo(gapEnd);
            assertThat(cal.start(Granularity.DAY, gapEnd - 1)).isEqualTo(utc("2024-09-07T04:00:00Z"));
            assertThat(cal.end(Granularity.DAY, utc("2024-09-07T04:00:00Z"))).isEqualTo(gapEnd);
            assertThat(cal.end(Granularity.DAY, gapEnd) - gapEnd).isEqualTo(23 * HOUR);
            assertThat(cal.startOfDay(LocalDate.of(2024, 9, 8))).isEqualTo(gapEnd);
        }

        @Test
        void midnightOverlapDayStartsAtTheFirstMidnight() {
            // America/Havana 2024-11-03: 01:00 CDT falls back to 00:00 CST, midnight happens twice.
            BucketCalendar cal = BucketCalendar.of("America/Havana");
            long firstMidnight = at("2024-11-03T00:00", "-04:00");
            long secondMidnight = at("2024-11-03T00:00", "-05:00");
            assertThat(cal.start(Granularity.DAY, secondMidnight + 1)).isEqualTo(firstMidnight);
            assertThat(cal.end(Granularity.DAY, firstMidnight) - firstMidnight).isEqualTo(25 * HOUR);
            assertThat(cal.start(Granularity.HOUR, firstMidnight + 30 * MINUTE)).isEqualTo(firstMidnight);
            assertThat(cal.start(Granularity.HOUR, secondMidnight + 30 * MINUTE))
                    .isEqualTo(secondMidnight);
        }
    }

    @Test
    void plusRejectsNegativeCounts() {
        BucketCalendar cal = BucketCalendar.of("UTC");
        for (Granularity g : Granularity.values()) {
            assertThatThrownBy(() -> cal.plus(g, 0L, -1)).isInstanceOf(IllegalArgumentException.class);
            assertThat(cal.plus(g, cal.start(g, 0L), 0)).isEqualTo(cal.start(g, 0L));
        }
    }

    @Test
    void minuteBucketsBeforeTheLastSecondsOffsetFollowLocalMinutes() {
        // Africa/Monrovia used -00:44:30 until 1972-01-07: local minutes start at :30 seconds UTC.
        BucketCalendar cal = BucketCalendar.of("Africa/Monrovia");
        ZoneRules rules = cal.zone().getRules();
        ZoneOffsetTransition tr = rules.nextTransition(Instant.parse("1971-06-01T00:00:00Z"));
        assertThat(tr.getOffsetBefore().getTotalSeconds() % 60).isNotZero();
        assertThat(tr.getOffsetAfter().getTotalSeconds() % 60).isZero();
        long at = tr.getInstant().toEpochMilli();
        Reference ref = new Reference(cal.zone());
        for (long t = at - 2 * 86_400_000L; t < at + 3 * 86_400_000L; t += 17_123L) {
            assertThat(cal.start(Granularity.MINUTE, t))
                    .as("minute of %s", Instant.ofEpochMilli(t))
                    .isEqualTo(ref.start(Granularity.MINUTE, t));
        }
        long before = at - 86_400_000L;
        long s = cal.start(Granularity.MINUTE, before);
        assertThat(Math.floorMod(s, MINUTE)).isEqualTo(30_000L);
        assertThat(cal.end(Granularity.MINUTE, s) - s).isEqualTo(MINUTE);
    }

    @ParameterizedTest
    @EnumSource(Granularity.class)
    void localDateAndStartOfDayAgreeWithJavaTime(Granularity g) {
        BucketCalendar cal = BucketCalendar.of("Pacific/Chatham");
        long t = utc("2024-09-29T14:00:00Z");
        assertThat(cal.localDate(t))
                .isEqualTo(Instant.ofEpochMilli(t)
                        .atZone(ZoneId.of("Pacific/Chatham"))
                        .toLocalDate());
        long s = cal.start(g, t);
        assertThat(cal.start(g, s)).isEqualTo(s);
    }

    // ------------------------------------------------------------------------------------------
    // Brute force
    // ------------------------------------------------------------------------------------------

    static final List<String> ZONES = List.of(
            "UTC",
            "America/New_York",
            "Europe/Berlin",
            "Asia/Kolkata",
            "Asia/Kathmandu",
            "Australia/Lord_Howe",
            "America/Sao_Paulo",
            "Pacific/Chatham",
            "America/St_Johns",
            "America/Santiago",
            "America/Havana");

    static Stream<String> zones() {
        return ZONES.stream();
    }

    /** Scan windows: +-3 days around each transition of 2023-2025 and around some calendar boundaries. */
    static List<long[]> windows(ZoneId zone) {
        List<long[]> out = new ArrayList<>();
        long span = 3 * 86_400_000L;
        ZoneRules rules = zone.getRules();
        Instant from = Instant.parse("2023-01-01T00:00:00Z");
        Instant until = Instant.parse("2026-01-01T00:00:00Z");
        for (ZoneOffsetTransition tr = rules.nextTransition(from);
                tr != null && tr.getInstant().isBefore(until);
                tr = rules.nextTransition(tr.getInstant())) {
            long at = tr.getInstant().toEpochMilli();
            out.add(new long[] {at - span, at + span});
        }
        for (String boundary :
                List.of("2023-01-01T00:00", "2024-03-01T00:00", "2024-07-01T00:00", "2025-01-01T00:00")) {
            long at = LocalDateTime.parse(boundary).atZone(zone).toInstant().toEpochMilli();
            out.add(new long[] {at - span, at + span});
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("zones")
    void bucketsAreContiguousAndMatchAnIndependentComputation(String zoneId) {
        ZoneId zone = ZoneId.of(zoneId);
        BucketCalendar cal = new BucketCalendar(zone);
        Reference ref = new Reference(zone);
        int checkedBuckets = 0;
        for (long[] w : windows(zone)) {
            long centre = (w[0] + w[1]) / 2;
            for (Granularity g : Granularity.values()) {
                // Walk the buckets covering the window (minutes: the 12 hours around its centre).
                long from = g == Granularity.MINUTE ? centre - 6 * HOUR : w[0];
                long to = g == Granularity.MINUTE ? centre + 6 * HOUR : w[1];
                long s = cal.start(g, from);
                List<Long> starts = new ArrayList<>();
                while (s <= to) {
                    starts.add(s);
                    long e = cal.end(g, s);
                    long bucket = s;
                    Supplier<String> what = () -> g + " bucket " + Instant.ofEpochMilli(bucket) + " in " + zoneId;
                    same(s, ref.start(g, s), what);
                    check(e > s, what);
                    // The end is itself a bucket start, and the last instant belongs to s.
                    same(cal.start(g, e), e, () -> what.get() + ": its end is not a bucket start");
                    same(cal.start(g, e - 1), s, () -> what.get() + ": its last ms is in another bucket");
                    same(ref.start(g, e - 1), s, () -> what.get() + ": reference puts its last ms elsewhere");
                    same(ref.start(g, e), e, () -> what.get() + ": reference does not start a bucket at its end");
                    checkShape(g, s, e, zone, what);
                    checkNesting(cal, g, s, e, what);
                    checkedBuckets++;
                    s = e;
                }
                checkArithmetic(cal, g, starts, zoneId);
            }
            // Sample instants every few minutes, at an odd step that walks through the seconds and
            // milliseconds of the minute (the walk above checked every bucket boundary exactly).
            for (long t = w[0]; t <= w[1]; t += 277_013L) {
                for (Granularity g : Granularity.values()) {
                    long s = cal.start(g, t);
                    long instant = t;
                    Supplier<String> what = () -> g + " of " + Instant.ofEpochMilli(instant) + " in " + zoneId;
                    same(s, ref.start(g, t), what);
                    check(s <= t && t < cal.end(g, s), () -> what.get() + ": not in [start, end)");
                }
            }
        }
        assertThat(checkedBuckets).isGreaterThan(1000);
    }

    private static void same(long actual, long expected, Supplier<String> what) {
        if (actual != expected) {
            fail(what.get() + ": expected " + Instant.ofEpochMilli(expected) + " but was "
                    + Instant.ofEpochMilli(actual));
        }
    }

    private static void check(boolean ok, Supplier<String> what) {
        if (!ok) fail(what.get());
    }

    private static void checkShape(Granularity g, long s, long e, ZoneId zone, Supplier<String> what) {
        ZonedDateTime start = Instant.ofEpochMilli(s).atZone(zone);
        ZoneRules rules = zone.getRules();
        long length = e - s;
        Supplier<String> badLength = () -> what.get() + " lasts " + Duration.ofMillis(length);
        switch (g) {
            case MINUTE -> check(length == MINUTE, badLength);
            case HOUR -> check(length >= MINUTE && length <= 2 * HOUR, badLength);
            case DAY -> check(length >= 20 * HOUR && length <= 28 * HOUR, badLength);
            case WEEK -> check(Math.abs(length - 7 * 24 * HOUR) <= 4 * HOUR, badLength);
            case MONTH -> check(length >= 28 * 24 * HOUR - 4 * HOUR && length <= 31 * 24 * HOUR + 4 * HOUR, badLength);
        }
        if (g == Granularity.MINUTE || g == Granularity.HOUR) {
            // A local minute/hour, cut only by an offset change: no change strictly inside, the
            // same local floor at both ends, and the start on a local boundary or at a change.
            ChronoUnit unit = g == Granularity.MINUTE ? ChronoUnit.MINUTES : ChronoUnit.HOURS;
            ZoneOffsetTransition next = rules.nextTransition(Instant.ofEpochMilli(s));
            check(next == null || next.getInstant().toEpochMilli() >= e, () -> what.get() + " spans an offset change");
            LocalDateTime last = Instant.ofEpochMilli(e - 1).atZone(zone).toLocalDateTime();
            LocalDateTime first = start.toLocalDateTime();
            check(
                    last.truncatedTo(unit).equals(first.truncatedTo(unit)),
                    () -> what.get() + " is not one local " + unit);
            boolean onBoundary = first.truncatedTo(unit).equals(first);
            ZoneOffsetTransition prev = rules.previousTransition(Instant.ofEpochMilli(s + 1));
            boolean atChange = prev != null && prev.getInstant().toEpochMilli() == s;
            check(
                    onBoundary || atChange,
                    () -> what.get() + " starts neither on a local boundary nor at an offset change");
            return;
        }
        LocalDateTime midnight = start.toLocalDate().atStartOfDay();
        boolean atMidnight = start.toLocalDateTime().equals(midnight);
        boolean afterGap = rules.getValidOffsets(midnight).isEmpty()
                && rules.getTransition(midnight).getInstant().toEpochMilli() == s;
        check(
                atMidnight || afterGap,
                () -> what.get() + " starts at " + start.toLocalTime()
                        + " local, neither midnight nor the end of a gap");
        if (g == Granularity.WEEK)
            check(start.getDayOfWeek() == DayOfWeek.MONDAY, () -> what.get() + " is not a Monday");
        if (g == Granularity.MONTH) check(start.getDayOfMonth() == 1, () -> what.get() + " is not the 1st");
        // The first instant of its local date: the previous millisecond is another date.
        LocalDate before = Instant.ofEpochMilli(s - 1).atZone(zone).toLocalDate();
        check(before.isBefore(start.toLocalDate()), () -> what.get() + ": the ms before it has the same date");
    }

    /** Every finer bucket that nests lies in one coarser bucket; weeks and months do not nest. */
    private static void checkNesting(BucketCalendar cal, Granularity g, long s, long e, Supplier<String> what) {
        for (Granularity coarser : Granularity.values()) {
            if (coarser.ordinal() <= g.ordinal() || !g.nestsIn(coarser)) continue;
            check(
                    cal.start(coarser, s) == cal.start(coarser, e - 1),
                    () -> what.get() + " is not inside one " + coarser);
        }
    }

    private static void checkArithmetic(BucketCalendar cal, Granularity g, List<Long> starts, String zone) {
        int n = starts.size();
        int[] deltas = {0, 1, 2, 3, 7, 25, n - 1};
        for (int i = 0; i < n; i += Math.max(1, n / 60)) {
            for (int d : deltas) {
                if (d < 0 || i + d >= n) continue;
                long from = starts.get(i);
                long to = starts.get(i + d);
                Supplier<String> what = () -> g + " " + Instant.ofEpochMilli(from) + " +" + d + " in " + zone;
                same(cal.plus(g, from, d), to, () -> "plus " + what.get());
                check(
                        cal.bucketsBetween(g, from, to) == d,
                        () -> "between " + what.get() + " = " + cal.bucketsBetween(g, from, to));
                check(
                        cal.bucketsBetween(g, to, from) == -d,
                        () -> "between (reversed) " + what.get() + " = " + cal.bucketsBetween(g, to, from));
            }
        }
    }

    @Test
    void weeksAndMonthsDoNotNestSoNestsInIsRight() {
        BucketCalendar cal = BucketCalendar.of("UTC");
        // Week of Monday 2024-01-29 spans January and February.
        long week = cal.start(Granularity.WEEK, utc("2024-01-31T00:00:00Z"));
        assertThat(cal.start(Granularity.MONTH, week))
                .isNotEqualTo(cal.start(Granularity.MONTH, cal.end(Granularity.WEEK, week) - 1));
        assertThat(Granularity.WEEK.nestsIn(Granularity.MONTH)).isFalse();
        assertThat(Granularity.DAY.nestsIn(Granularity.WEEK)).isTrue();
        assertThat(Granularity.DAY.nestsIn(Granularity.MONTH)).isTrue();
        assertThat(Granularity.MONTH.nestsIn(Granularity.WEEK)).isFalse();
    }

    /**
     * An independent model of the bucket rules, written against {@link ZoneRules} directly: a
     * minute or hour bucket is a local minute or hour that never spans an offset change (so the
     * two occurrences of a fall-back hour are two buckets, and an offset change off the local
     * hour starts a short bucket); a day, week or month starts at the first instant of its first
     * local date.
     */
    static final class Reference {
        private final ZoneRules rules;

        Reference(ZoneId zone) {
            this.rules = zone.getRules();
        }

        long start(Granularity g, long t) {
            Instant i = Instant.ofEpochMilli(t);
            ZoneOffset offset = rules.getOffset(i);
            LocalDateTime local = LocalDateTime.ofInstant(i, offset);
            LocalDate date = local.toLocalDate();
            return switch (g) {
                case MINUTE -> clock(local.truncatedTo(ChronoUnit.MINUTES), offset, i);
                case HOUR -> clock(local.truncatedTo(ChronoUnit.HOURS), offset, i);
                case DAY -> firstInstantOf(date);
                case WEEK -> firstInstantOf(date.minusDays(date.getDayOfWeek().getValue() - 1));
                case MONTH -> firstInstantOf(date.withDayOfMonth(1));
            };
        }

        /** The floor in the current offset, or the offset change if that offset began later. */
        private long clock(LocalDateTime floor, ZoneOffset current, Instant t) {
            long candidate = floor.toInstant(current).toEpochMilli();
            long changedAt = Long.MIN_VALUE;
            for (ZoneOffsetTransition tr = rules.nextTransition(Instant.ofEpochMilli(candidate - 1));
                    tr != null && !tr.getInstant().isAfter(t);
                    tr = rules.nextTransition(tr.getInstant())) {
                changedAt = tr.getInstant().toEpochMilli();
            }
            return Math.max(candidate, changedAt);
        }

        private long firstInstantOf(LocalDate date) {
            LocalDateTime midnight = date.atStartOfDay();
            List<ZoneOffset> valid = rules.getValidOffsets(midnight);
            if (valid.isEmpty())
                return rules.getTransition(midnight).getInstant().toEpochMilli();
            long first = Long.MAX_VALUE;
            for (ZoneOffset o : valid)
                first = Math.min(first, midnight.toInstant(o).toEpochMilli());
            return first;
        }
    }
}
