package io.eventagg.ingest;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Parses ISO-8601 / RFC 3339 timestamps with an explicit offset into epoch milliseconds. The common
 * shape {@code YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM)} is parsed by hand (it is on the hot path);
 * anything else falls back to {@link OffsetDateTime#parse}.
 */
public final class IsoTimestamps {
    private IsoTimestamps() {}

    /** Returns epoch milliseconds, or throws {@link IllegalArgumentException} with the reason. */
    public static long parse(String s) {
        long fast = parseFast(s);
        if (fast != Long.MIN_VALUE) return fast;
        try {
            return OffsetDateTime.parse(s).toInstant().toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            if (s.length() >= 19 && s.length() <= 29 && noOffset(s)) {
                throw new IllegalArgumentException("timestamp '" + s + "' has no UTC offset (add Z or +HH:MM)");
            }
            throw new IllegalArgumentException("timestamp '" + abbreviate(s) + "' is not ISO-8601 with an offset");
        }
    }

    private static boolean noOffset(String s) {
        char last = s.charAt(s.length() - 1);
        return last != 'Z' && last != 'z' && s.indexOf('+', 10) < 0 && s.lastIndexOf('-') < 10;
    }

    static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }

    /** Long.MIN_VALUE when the text is not of the common shape (the slow path decides). */
    static long parseFast(String s) {
        int n = s.length();
        if (n < 20) return Long.MIN_VALUE;
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        char t = s.charAt(10);
        if (year < 0
                || month < 1
                || month > 12
                || day < 1
                || hour < 0
                || hour > 23
                || minute < 0
                || minute > 59
                || second < 0
                || second > 59
                || s.charAt(4) != '-'
                || s.charAt(7) != '-'
                || (t != 'T' && t != 't' && t != ' ')
                || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return Long.MIN_VALUE;
        }
        if (day > daysInMonth(year, month)) return Long.MIN_VALUE;
        int i = 19;
        int millis = 0;
        if (i < n && s.charAt(i) == '.') {
            i++;
            int digitsSeen = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                if (digitsSeen < 3) millis = millis * 10 + (s.charAt(i) - '0');
                digitsSeen++;
                i++;
            }
            if (digitsSeen == 0 || digitsSeen > 9) return Long.MIN_VALUE;
            for (int k = digitsSeen; k < 3; k++) millis *= 10;
        }
        if (i >= n) return Long.MIN_VALUE;
        int offsetSeconds;
        char z = s.charAt(i);
        if ((z == 'Z' || z == 'z') && i == n - 1) {
            offsetSeconds = 0;
        } else if ((z == '+' || z == '-') && (i + 6 == n) && s.charAt(i + 3) == ':') {
            int oh = digits(s, i + 1, 2);
            int om = digits(s, i + 4, 2);
            if (oh < 0 || oh > 18 || om < 0 || om > 59) return Long.MIN_VALUE;
            offsetSeconds = (oh * 3600 + om * 60) * (z == '-' ? -1 : 1);
        } else {
            return Long.MIN_VALUE;
        }
        long days = epochDay(year, month, day);
        long seconds = days * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        return seconds * 1000L + millis;
    }

    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
    static long epochDay(int y, int m, int d) {
        y -= m <= 2 ? 1 : 0;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }
}
