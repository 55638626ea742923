package io.eventagg.cli;

import io.eventagg.config.ConfigException;
import io.eventagg.query.QueryException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar target/eventagg-cli.jar}: local runs, queries, data generation, schema. */
@Command(name = "eventagg", mixinStandardHelpOptions = true, version = "eventagg 0.1.0",
        description = "Pre-aggregates product-analytics events with Apache Flink: time series, funnels, retention.",
        subcommands = {RunCommand.class, BackfillCommand.class, QueryCommand.class, GenerateCommand.class, SchemaCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    /** Exit status for configuration and usage errors. */
    public static final int EXIT_CONFIG = 2;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        if (System.getProperty("log4j2.configurationFile") == null && System.getProperty("log4j.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "log4j2-cli.properties");
        }
        CommandLine cmd = new CommandLine(new Main());
        cmd.setExecutionExceptionHandler((e, line, parsed) -> {
            Throwable root = rootConfigProblem(e);
            if (root instanceof ConfigException || root instanceof QueryException) {
                line.getErr().println("error: " + root.getMessage());
                return EXIT_CONFIG;
            }
            line.getErr().println("error: " + describe(e));
            if (System.getenv("EVENTAGG_DEBUG") != null) e.printStackTrace(line.getErr());
            return 1;
        });
        return cmd.execute(args);
    }

    private static Throwable rootConfigProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigException || t instanceof QueryException) return t;
        }
        return e;
    }

    /** The most specific message along the cause chain. */
    static String describe(Throwable e) {
        Throwable t = e;
        String msg = e.getMessage();
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null) msg = t.getMessage();
        }
        return (msg == null ? e.toString() : msg) + (t != e ? " (" + t.getClass().getSimpleName() + ")" : "");
    }
}
