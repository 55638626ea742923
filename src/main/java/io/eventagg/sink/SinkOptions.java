package io.eventagg.sink;

import io.eventagg.config.ConnectionProfile;
import io.eventagg.config.Durations;
import io.eventagg.config.Redact;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The CLI's flags for where results are written and read: a JDBC URL, or a connection profile file,
 * plus credentials. Passwords come only from an environment variable or a file, never from the
 * command line. The rules are {@link ConnectionProfile}'s; this class only declares the flags.
 */
public final class SinkOptions {
    @Option(
            names = "--sink",
            paramLabel = "JDBC_URL",
            description = "Database URL: jdbc:duckdb:PATH or jdbc:clickhouse://HOST:PORT/DB (default: "
                    + SinkSettings.DEFAULT_URL + " unless a profile sets one)")
    String url;

    @Option(
            names = "--profile",
            paramLabel = "FILE",
            description =
                    "Connection profile (YAML: url, user, password_env, password_file, properties, batch_size, batch_interval, max_retries), e.g. conf/profiles/local-clickhouse.yaml (default: none)")
    Path profile;

    @Option(
            names = "--sink-user",
            paramLabel = "USER",
            description = "Database user (default: the profile's, else none)")
    String user;

    @Option(
            names = "--sink-password-env",
            paramLabel = "VAR",
            description = "Environment variable holding the password (default: "
                    + ConnectionProfile.DEFAULT_PASSWORD_ENV + " when set)")
    String passwordEnv;

    @Option(
            names = "--sink-password-file",
            paramLabel = "FILE",
            description = "File holding the password (first line; default: none)")
    Path passwordFile;

    @Option(
            names = "--sink-property",
            paramLabel = "KEY=VALUE",
            description = "JDBC driver property (repeatable; default: none beyond the profile's)")
    Map<String, String> properties = new LinkedHashMap<>();

    /**
     * Resolves the settings: profile first, then flags on top (see {@link ConnectionProfile}). Batching
     * that neither sets is the final URL's dialect's default (DuckDB and ClickHouse differ), also when
     * {@code --sink} names another database than the profile.
     */
    public SinkSettings resolve() {
        return SinkSettings.of(ConnectionProfile.resolve(
                new ConnectionProfile.Flags(url, profile, user, passwordEnv, passwordFile, properties)));
    }

    public static String describe(SinkSettings s) {
        return Redact.url(s.url()) + (s.user() == null ? "" : " as " + s.user()) + " (batch " + s.batchSize()
                + " rows / " + Durations.format(Duration.ofMillis(s.batchIntervalMs())) + ")";
    }
}
