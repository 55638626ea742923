package io.eventagg.cli;

import io.eventagg.query.QueryException;
import io.eventagg.runtime.ExitCodes;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar target/eventagg-cli.jar}: local runs, queries, data generation, schema. */
@Command(
        name = "eventagg",
        mixinStandardHelpOptions = true,
        version = "eventagg 0.1.0",
        description = "Pre-aggregates product-analytics events with Apache Flink: time series, funnels, retention.",
        subcommands = {
            RunCommand.class,
            BackfillCommand.class,
            QueryCommand.class,
            GenerateCommand.class,
            SchemaCommand.class,
            ExpireCommand.class,
            ServeCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command; the exit status is {@link ExitCodes}' (a query that cannot be answered is a usage error). */
    public static int execute(String... args) {
        if (System.getProperty("log4j2.configurationFile") == null
                && System.getProperty("log4j.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "log4j2-cli.properties");
        }
        return ExitCodes.execute(new Main(), args, null, QueryException.class);
    }
}
