package io.eventagg.cli;

import io.eventagg.config.Redact;
import io.eventagg.config.TimeZones;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkOptions;
import io.eventagg.sink.SinkSettings;
import java.time.ZoneId;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code schema}: creates the tables (idempotent). */
@Command(
        name = "schema",
        mixinStandardHelpOptions = true,
        description = "Create eventagg's tables if they do not exist.")
final class SchemaCommand implements Callable<Integer> {
    @Mixin
    SinkOptions sink;

    @Option(
            names = "--raw-events",
            description =
                    "Also create a raw `events` table and the materialized views over it (daily active users, hourly events,"
                            + " session stats, also under the specification's names; ClickHouse only, see"
                            + " sql/clickhouse/raw-events.sql and raw-events-spec.sql)")
    boolean rawEvents;

    @Option(
            names = "--timezone",
            defaultValue = "UTC",
            description = "With --raw-events: the zone the specification's named views (dau_mv, hourly_events_mv,"
                    + " session_stats_mv, event_counts_hourly, daily_active_users) bucket days and hours in; use"
                    + " the job's (default: ${DEFAULT-VALUE})")
    String timezone;

    @Override
    public Integer call() throws Exception {
        SinkSettings s = sink.resolve();
        int n = SchemaManager.apply(s);
        System.out.printf("applied %d schema statements to %s%n", n, Redact.url(s.url()));
        if (rawEvents) {
            ZoneId zone = TimeZones.parse("--timezone", timezone);
            int m = SchemaManager.applyRawEvents(s, zone);
            System.out.printf(
                    "applied %d raw-events statements (events table, its materialized views, the specification's"
                            + " named views in %s) to %s%n",
                    m, zone.getId(), Redact.url(s.url()));
        }
        return 0;
    }
}
