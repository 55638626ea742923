package io.eventagg.testing;

/**
 * JUnit tags that split the suite. {@code make test} runs everything; {@code make test-fast} leaves
 * out the classes tagged here: those that need a database, a broker or a cluster ({@link
 * #SERVICES}: DuckDB files, the ClickHouse server, Kafka, the local Flink cluster) and the few that
 * run large datasets ({@link #SLOW}).
 */
public final class Tiers {
    /** Needs a database (also an embedded DuckDB file), a Kafka broker or a Flink cluster. */
    public static final String SERVICES = "services";
    /** Runs for more than a few seconds on purpose (large or heavy-tailed datasets). */
    public static final String SLOW = "slow";

    private Tiers() {}
}
