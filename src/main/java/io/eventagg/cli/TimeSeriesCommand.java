package io.eventagg.cli;

import io.eventagg.config.ConfigException;
import io.eventagg.config.TimeZones;
import io.eventagg.query.AggregationResult;
import io.eventagg.query.RawEvents;
import io.eventagg.query.TimeSeriesPoint;
import io.eventagg.query.TimeSeriesQuery;
import io.eventagg.sink.SinkSettings;
import io.eventagg.time.Granularity;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code query timeseries}: the spec's AggregationResult. */
@Command(
        name = "timeseries",
        mixinStandardHelpOptions = true,
        description = "Counts, unique users and breakdowns per bucket for some events (or all events).")
final class TimeSeriesCommand implements Callable<Integer> {
    @Mixin
    QueryOptions query = new QueryOptions();

    @Option(
            names = "--events",
            split = ",",
            description =
                    "Events or actions (the job's filtered series) to sum (default: all events, with unique sessions)")
    List<String> events = new ArrayList<>();

    @Option(names = "--granularity", required = true, description = "minute, hour, day, week or month")
    String granularity;

    @Option(
            names = "--breakdown",
            split = ",",
            description = "Breakdown keys (from the job's breakdowns; default: none)")
    List<String> breakdown = new ArrayList<>();

    @Option(
            names = "--active-windows",
            split = ",",
            paramLabel = "DAYS",
            description = "Rolling active users for each day: unique users in the N days ending with it, per N"
                    + " (e.g. 7,28,30; needs --granularity day; default: none)")
    List<Integer> activeWindows = new ArrayList<>();

    @Option(
            names = "--timezone",
            paramLabel = "ZONE",
            description = "Answer in this time zone: its days, weeks and months (built from the job's hour or minute"
                    + " buckets), and --from/--to read in it (default: the job's)")
    String timezone;

    @Option(
            names = "--distinct-id",
            description =
                    "Only this user's events (answered from the raw events table, --raw-events-table; default: all users)")
    String distinctId;

    @Option(
            names = "--raw-events-table",
            paramLabel = "TABLE",
            description =
                    "Raw events table for --distinct-id (ClickHouse), e.g. events (default: none, so --distinct-id is refused)")
    String rawEventsTable;

    @Option(
            names = "--raw-events-url",
            paramLabel = "JDBC_URL",
            description = "Database of the raw events table (default: the sink's)")
    String rawEventsUrl;

    @Override
    public Integer call() {
        Granularity g = Granularity.parse(granularity);
        if (g == null)
            throw new ConfigException(
                    "--granularity", "'" + granularity + "' is not one of minute, hour, day, week, month");
        ZoneId zone = timezone == null ? null : TimeZones.parse("--timezone", timezone);
        TimeSeriesQuery q = new TimeSeriesQuery(
                events,
                query.from(zone),
                query.to(zone),
                g,
                query.environment,
                breakdown,
                distinctId,
                activeWindows,
                zone);
        AggregationResult r = query.answer(rawEvents(), s -> s.query(q));
        switch (query.format) {
            case json -> System.out.println(Json.write(r));
            case csv -> printCsv(r, q);
            default -> printTable(r, q);
        }
        return 0;
    }

    /** The raw events table for --distinct-id: in the sink's database unless --raw-events-url names another. */
    private RawEvents rawEvents() {
        if (rawEventsTable == null) return null;
        SinkSettings settings = query.sink.resolve();
        SinkSettings db = rawEventsUrl == null
                ? settings
                : SinkSettings.of(rawEventsUrl)
                        .withCredentials(settings.user(), settings.password())
                        .withProperties(settings.properties());
        return new RawEvents(db, rawEventsTable);
    }

    private static void printTable(AggregationResult r, TimeSeriesQuery q) {
        boolean sessions = r.uniqueSessions() != null;
        StringBuilder header =
                new StringBuilder(String.format("%-24s %12s %12s", "bucket (UTC)", "count", "unique users"));
        if (sessions) header.append(String.format(" %12s", "sessions"));
        for (int w : q.activeWindows()) header.append(String.format(" %12s", w + "-day users"));
        if (!q.breakdownBy().isEmpty()) header.append("  breakdown");
        System.out.println(header);
        for (TimeSeriesPoint p : r.series()) {
            StringBuilder line =
                    new StringBuilder(String.format("%-24s %,12d %,12d", p.timestamp(), p.count(), p.uniqueUsers()));
            if (sessions) line.append(String.format(" %,12d", p.uniqueSessions()));
            if (p.activeUsers() != null)
                for (long n : p.activeUsers().values()) line.append(String.format(" %,12d", n));
            if (p.breakdown() != null) line.append("  ").append(compact(p.breakdown(), 6));
            System.out.println(line);
        }
        StringBuilder total =
                new StringBuilder(String.format("%-24s %,12d %,12d", "total", r.total(), r.uniqueUsers()));
        if (sessions) total.append(String.format(" %,12d", r.uniqueSessions()));
        System.out.println(total);
        if (r.timezone() != null) System.out.println("(buckets of " + r.timezone() + ")");
        for (Map.Entry<String, Map<String, Long>> e : r.breakdownTotals().entrySet()) {
            System.out.println("  " + e.getKey() + ": "
                    + compact(Map.of(e.getKey(), e.getValue()), 20).replaceFirst("^[^ ]* ", ""));
            Map<String, Long> users = r.breakdownUniqueUsersTotals() == null
                    ? null
                    : r.breakdownUniqueUsersTotals().get(e.getKey());
            if (users != null)
                System.out.println("  " + e.getKey() + " (unique users): "
                        + compact(Map.of(e.getKey(), users), 20).replaceFirst("^[^ ]* ", ""));
        }
    }

    private static String compact(Map<String, Map<String, Long>> breakdown, int maxValues) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Map<String, Long>> k : breakdown.entrySet()) {
            if (sb.length() > 0) sb.append("; ");
            sb.append(k.getKey()).append(' ');
            int i = 0;
            for (Map.Entry<String, Long> v : k.getValue().entrySet()) {
                if (i++ == maxValues) {
                    sb.append(" …");
                    break;
                }
                sb.append(i > 1 ? " " : "").append(v.getKey()).append('=').append(v.getValue());
            }
        }
        return sb.toString();
    }

    private static void printCsv(AggregationResult r, TimeSeriesQuery q) {
        boolean sessions = r.uniqueSessions() != null;
        Set<String> columns = new LinkedHashSet<>();
        for (Map.Entry<String, Map<String, Long>> e : r.breakdownTotals().entrySet()) {
            for (String v : e.getValue().keySet()) columns.add(e.getKey() + ":" + v);
        }
        StringBuilder header = new StringBuilder("timestamp,count,unique_users");
        if (sessions) header.append(",unique_sessions");
        for (int w : q.activeWindows())
            header.append(",active_users_").append(w).append('d');
        for (String c : columns) header.append(',').append(csv(c));
        boolean users = r.breakdownUniqueUsersTotals() != null;
        if (users) for (String c : columns) header.append(',').append(csv(c + ":unique_users"));
        System.out.println(header);
        for (TimeSeriesPoint p : r.series()) {
            StringBuilder line = new StringBuilder(p.timestamp() + "," + p.count() + "," + p.uniqueUsers());
            if (sessions) line.append(',').append(p.uniqueSessions());
            if (p.activeUsers() != null)
                for (long n : p.activeUsers().values()) line.append(',').append(n);
            for (String c : columns) {
                int colon = c.indexOf(':');
                Map<String, Long> values =
                        p.breakdown() == null ? null : p.breakdown().get(c.substring(0, colon));
                Long v = values == null ? null : values.get(c.substring(colon + 1));
                line.append(',').append(v == null ? 0 : v);
            }
            if (users)
                for (String c : columns) {
                    int colon = c.indexOf(':');
                    Map<String, Long> values = p.breakdownUniqueUsers() == null
                            ? null
                            : p.breakdownUniqueUsers().get(c.substring(0, colon));
                    Long v = values == null ? null : values.get(c.substring(colon + 1));
                    line.append(',').append(v == null ? 0 : v);
                }
            System.out.println(line);
        }
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
