package io.eventagg.cli;

import picocli.CommandLine.Command;

/** {@code query}: reads pre-aggregated results. */
@Command(
        name = "query",
        mixinStandardHelpOptions = true,
        description = "Query pre-aggregated results.",
        subcommands = {
            TimeSeriesCommand.class,
            FunnelCommand.class,
            RetentionCommand.class,
            StickinessCommand.class,
            MeasureCommand.class
        })
final class QueryCommand {}
