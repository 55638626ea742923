package io.eventagg.types;

import java.util.UUID;

/**
 * UUIDs in their canonical text form ({@code 8-4-4-4-12} lowercase hex digits, what {@link
 * UUID#toString()} gives) packed into 16 bytes instead of 36 characters; any other text is not
 * canonical and stays text, so that every value reads back as exactly the string it was.
 */
public final class Uuids {
    private Uuids() {}

    private static final byte[] HEX = new byte[128];

    static {
        java.util.Arrays.fill(HEX, (byte) -1);
        for (int c = '0'; c <= '9'; c++) HEX[c] = (byte) (c - '0');
        for (int c = 'a'; c <= 'f'; c++) HEX[c] = (byte) (c - 'a' + 10);
    }

    /**
     * Parses a canonical UUID into {@code bits} (most, then least significant 64 bits); false, with
     * {@code bits} undefined, when {@code s} is not one.
     */
    public static boolean parse(String s, long[] bits) {
        if (s == null || s.length() != 36) return false;
        if (s.charAt(8) != '-' || s.charAt(13) != '-' || s.charAt(18) != '-' || s.charAt(23) != '-') return false;
        int bad = 0;
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 18; i++) {
            if (i == 8 || i == 13) continue;
            int d = digit(s.charAt(i));
            bad |= d;
            hi = (hi << 4) | (d & 0xF);
        }
        for (int i = 19; i < 36; i++) {
            if (i == 23) continue;
            int d = digit(s.charAt(i));
            bad |= d;
            lo = (lo << 4) | (d & 0xF);
        }
        bits[0] = hi;
        bits[1] = lo;
        return bad >= 0;
    }

    private static int digit(char c) {
        return c < 128 ? HEX[c] : -1;
    }

    public static String format(long mostSignificant, long leastSignificant) {
        return new UUID(mostSignificant, leastSignificant).toString();
    }
}
