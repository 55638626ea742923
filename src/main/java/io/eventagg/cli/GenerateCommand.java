package io.eventagg.cli;

import io.eventagg.generate.EventGenerator;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code generate}: deterministic synthetic events for demos, tests and benchmarks. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Write deterministic, realistic synthetic events as JSON lines (.gz compresses).")
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--users", defaultValue = "10000", description = "Number of users (default: ${DEFAULT-VALUE})")
    int users;

    @Option(names = "--days", defaultValue = "30", description = "Number of days (default: ${DEFAULT-VALUE})")
    int days;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--start", defaultValue = "2024-01-01T00:00:00Z", description = "First day, UTC (default: ${DEFAULT-VALUE})")
    String start;

    @Option(names = "--malformed-rate", defaultValue = "0.01", description = "Share of broken lines (default: ${DEFAULT-VALUE})")
    double malformedRate;

    @Option(names = "--out", required = true, description = "Output file (.jsonl or .jsonl.gz)")
    Path out;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        EventGenerator.Stats s = new EventGenerator(users, days, seed, Instant.parse(start), malformedRate).write(out);
        System.out.printf("wrote %,d lines (%,d events, %,d malformed) for %,d users over %d days to %s in %.1f s%n",
                s.lines(), s.events(), s.malformed(), users, days, out, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
