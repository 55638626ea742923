package io.eventagg.cli;

import io.eventagg.config.ConfigException;
import io.eventagg.generate.EventGenerator;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code generate}: deterministic synthetic events for demos, tests and benchmarks. The heavy-tail
 * and bot options reproduce what real product data has (a few users with tens of thousands of
 * events, bots); the heavy-tailed example is
 * {@code generate --users 1545 --days 90 --pareto-alpha 1.3 --seed 36}.
 */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = {
            "Write deterministic, realistic synthetic events as JSON lines (.gz compresses).",
            "The heavy-tailed example: generate --users 1545 --days 90 --pareto-alpha 1.3 --seed 36"
                    + " (about 200k events, the heaviest user about 46k of them)."
        })
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--users", defaultValue = "10000", description = "Number of users (default: ${DEFAULT-VALUE})")
    int users;

    @Option(names = "--days", defaultValue = "30", description = "Number of days (default: ${DEFAULT-VALUE})")
    int days;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--start",
            defaultValue = "2024-01-01T00:00:00Z",
            description = "First day, UTC (default: ${DEFAULT-VALUE})")
    String start;

    @Option(
            names = "--malformed-rate",
            defaultValue = "0.01",
            description = "Share of broken lines (default: ${DEFAULT-VALUE})")
    double malformedRate;

    @Option(
            names = "--pareto-alpha",
            defaultValue = "0",
            description =
                    "Heavy-tailed activity: each user's activity weight follows a Pareto distribution of this shape,"
                            + " greater than 1 (about 1.3 is realistic); 0 is off (default: ${DEFAULT-VALUE})")
    double paretoAlpha;

    @Option(
            names = "--bots",
            defaultValue = "0",
            description = "Extra users bot-0, bot-1, ... sending events every day (default: ${DEFAULT-VALUE})")
    int bots;

    @Option(
            names = "--bot-events-per-day",
            defaultValue = "10000",
            description = "Events a bot sends a day (default: ${DEFAULT-VALUE})")
    int botEventsPerDay;

    @Option(
            names = "--bot-pricing-share",
            defaultValue = "0.2",
            description = "Share of a bot's events that are /pricing page views, 0 to 1 (default: ${DEFAULT-VALUE})")
    double botPricingShare;

    @Option(
            names = "--user-offset",
            defaultValue = "0",
            description = "Added to every user's number: with an offset of at least another generation's --users"
                    + " (and another seed) the users are new ones, e.g. a later month (default: ${DEFAULT-VALUE})")
    long userOffset;

    @Option(names = "--out", required = true, description = "Output file (.jsonl or .jsonl.gz)")
    Path out;

    @Override
    public Integer call() throws Exception {
        EventGenerator.Options options = options();
        long t0 = System.nanoTime();
        EventGenerator.Stats s =
                new EventGenerator(users, days, seed, Instant.parse(start), malformedRate, 1.0, options).write(out);
        System.out.printf(
                "wrote %,d lines (%,d events, %,d malformed) for %,d users over %d days to %s in %.1f s%n",
                s.lines(), s.events(), s.malformed(), users, days, out, (System.nanoTime() - t0) / 1e9);
        if (paretoAlpha > 0) {
            System.out.printf(
                    "heaviest user: %s, %,d events (%,d /pricing page views)%n",
                    s.heaviestUser(), s.heaviestUserEvents(), s.heaviestUserPricingViews());
        }
        if (bots > 0)
            System.out.printf("bots: %,d events (%,d /pricing page views)%n", s.botEvents(), s.botPricingViews());
        return 0;
    }

    /** The options, checked here so that the message names the command-line option. */
    private EventGenerator.Options options() {
        if (!(paretoAlpha == 0 || (paretoAlpha > 1 && Double.isFinite(paretoAlpha)))) {
            throw new ConfigException(
                    "--pareto-alpha",
                    "must be 0 (off) or greater than 1 (at 1 or below the mean activity" + " is infinite), was "
                            + paretoAlpha);
        }
        if (bots < 0) throw new ConfigException("--bots", "must not be negative, was " + bots);
        if (botEventsPerDay < 1 || botEventsPerDay > 86_400_000) {
            throw new ConfigException(
                    "--bot-events-per-day",
                    "must be between 1 and 86400000 (one a millisecond), was " + botEventsPerDay);
        }
        if (!(botPricingShare >= 0 && botPricingShare <= 1)) {
            throw new ConfigException("--bot-pricing-share", "must be between 0 and 1, was " + botPricingShare);
        }
        if (userOffset < 0 || userOffset > 1_000_000_000_000L) {
            throw new ConfigException("--user-offset", "must be between 0 and 10^12, was " + userOffset);
        }
        return new EventGenerator.Options(paretoAlpha, bots, botEventsPerDay, botPricingShare, userOffset);
    }
}
