package io.eventagg.timeseries;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.eventagg.sink.RowVersion;
import io.eventagg.sketch.Sketches;
import io.eventagg.time.Granularity;
import java.io.IOException;
import java.io.Serializable;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.datasketches.hll.Union;

/** Turns a bucket's accumulator into its full-value row (every emission carries the whole value). */
public final class SeriesRows implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final JsonFactory JSON = new JsonFactory();

    private final List<String> breakdownKeys;
    private final int breakdownLimit;
    private final long generation;

    public SeriesRows(List<String> breakdownKeys, int breakdownLimit, long generation) {
        this.breakdownKeys = List.copyOf(breakdownKeys);
        this.breakdownLimit = breakdownLimit;
        this.generation = generation;
    }

    /** The row of one bucket; the version grows with the count, the final row outranks all others. */
    public SeriesRow row(SeriesAccumulator a, Granularity granularity, long bucketStart, boolean isFinal) {
        long users = Sketches.estimate(a.users);
        long sessions = a.sessions == null ? 0 : Sketches.estimate(a.sessions);
        return new SeriesRow(
                a.rollup,
                a.environment,
                a.event,
                granularity.id(),
                bucketStart,
                a.count,
                users,
                Sketches.toBytes(a.users),
                sessions,
                a.sessions == null ? null : Sketches.toBytes(a.sessions),
                a.rollup ? null : breakdownJson(a.breakdowns),
                isFinal,
                RowVersion.of(generation, a.count, isFinal),
                a.rollup || !a.breakdowns.hasUsers() ? null : breakdownUsersJson(a.breakdowns));
    }

    /**
     * The users of the values {@link #breakdownJson} writes, as base64 HLL sketches in the same
     * shape; {@code $other}'s are the union of the other values' and of the overflow's.
     */
    String breakdownUsersJson(BreakdownCounts b) {
        StringWriter sw = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(sw)) {
            g.writeStartObject();
            for (int k = 0; k < breakdownKeys.size(); k++) {
                int n = b.size(k);
                if (n == 0 && b.overflow(k) == 0) continue;
                g.writeObjectFieldStart(breakdownKeys.get(k));
                int[] order = b.order(k);
                Union other = null;
                for (int i = 0; i < n; i++) {
                    DistinctIds.Collector users = b.users(k, order[i]);
                    String value = b.value(k, order[i]);
                    if (i < breakdownLimit && !value.equals(BreakdownCounts.OTHER)) {
                        if (users != null) g.writeStringField(value, Sketches.base64(users.sketch()));
                    } else if (users != null) {
                        if (other == null) other = Sketches.newUnion(b.usersLgK());
                        Sketches.merge(other, users.sketch());
                    }
                }
                DistinctIds.Collector overflow = b.overflowUsers(k);
                if (overflow != null) {
                    if (other == null) other = Sketches.newUnion(b.usersLgK());
                    Sketches.merge(other, overflow.sketch());
                }
                if (other != null) g.writeStringField(BreakdownCounts.OTHER, Sketches.base64(Sketches.toBytes(other)));
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sw.toString();
    }

    /**
     * The breakdown JSON: per breakdown key with any count, its top values by count (ties by value)
     * and {@code $other}, as {@link BreakdownCounts#top} defines them. Written by hand (one of these
     * per emitted row made Jackson's generator, the entry lists and their sort a fifth of the bucket
     * operator's time); names that need escaping go through Jackson, so the text is identical.
     */
    String breakdownJson(BreakdownCounts b) {
        StringBuilder sb = new StringBuilder(64);
        sb.append('{');
        boolean firstKey = true;
        for (int k = 0; k < breakdownKeys.size(); k++) {
            int n = b.size(k);
            long other = b.overflow(k);
            if (n == 0 && other == 0) continue;
            int[] order = b.order(k);
            int mark = sb.length();
            boolean firstValue = true;
            for (int i = 0; i < n; i++) {
                String value = b.value(k, order[i]);
                long count = b.count(k, order[i]);
                if (i < breakdownLimit && !value.equals(BreakdownCounts.OTHER)) {
                    if (!beforeValue(sb, firstValue, firstKey, breakdownKeys.get(k))) return breakdownJsonJackson(b);
                    firstKey = false;
                    firstValue = false;
                    if (!plainString(sb, value)) return breakdownJsonJackson(b);
                    sb.append(':').append(count);
                } else {
                    other += count;
                }
            }
            if (other > 0) {
                if (!beforeValue(sb, firstValue, firstKey, breakdownKeys.get(k))) return breakdownJsonJackson(b);
                firstKey = false;
                firstValue = false;
                sb.append('"').append(BreakdownCounts.OTHER).append("\":").append(other);
            }
            if (firstValue) {
                sb.setLength(mark);
            } else {
                sb.append('}');
            }
        }
        return sb.append('}').toString();
    }

    /**
     * What precedes a breakdown value: the key's opening before its first value, a comma before the
     * others. False if the key needs escaping (the caller then falls back to Jackson).
     */
    private static boolean beforeValue(StringBuilder sb, boolean firstValue, boolean firstKey, String key) {
        if (!firstValue) {
            sb.append(',');
            return true;
        }
        return openField(sb, firstKey, key);
    }

    private static boolean openField(StringBuilder sb, boolean first, String name) {
        if (!first) sb.append(',');
        if (!plainString(sb, name)) return false;
        sb.append(":{");
        return true;
    }

    /** Appends {@code s} quoted if it needs no JSON escape (no control character, quote or backslash). */
    private static boolean plainString(StringBuilder sb, String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') return false;
        }
        sb.append('"').append(s).append('"');
        return true;
    }

    /** The same JSON through Jackson's generator (names with characters that JSON escapes). */
    String breakdownJsonJackson(BreakdownCounts b) {
        StringWriter sw = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(sw)) {
            g.writeStartObject();
            for (int k = 0; k < breakdownKeys.size(); k++) {
                List<Map.Entry<String, Long>> top = b.top(k, breakdownLimit);
                if (top.isEmpty()) continue;
                g.writeObjectFieldStart(breakdownKeys.get(k));
                for (Map.Entry<String, Long> e : top) g.writeNumberField(e.getKey(), e.getValue());
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sw.toString();
    }
}
