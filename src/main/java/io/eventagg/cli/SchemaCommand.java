package io.eventagg.cli;

import io.eventagg.config.Redact;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkOptions;
import io.eventagg.sink.SinkSettings;
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
                            + " session stats; ClickHouse only, see sql/clickhouse/raw-events.sql)")
    boolean rawEvents;

    @Override
    public Integer call() throws Exception {
        SinkSettings s = sink.resolve();
        int n = SchemaManager.apply(s);
        System.out.printf("applied %d schema statements to %s%n", n, Redact.url(s.url()));
        if (rawEvents) {
            int m = SchemaManager.applyRawEvents(s);
            System.out.printf(
                    "applied %d raw-events statements (events table, 3 materialized views) to %s%n",
                    m, Redact.url(s.url()));
        }
        return 0;
    }
}
