package io.eventagg.jobs;

import io.eventagg.config.ConnectionProfile;
import io.eventagg.sink.SinkSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The cluster jobs' database flags (the same as the CLI's); the rules are {@link ConnectionProfile}'s.
 * Declared here because the cluster jobs do not depend on the CLI.
 */
final class SinkArgs {
    @Option(names = "--sink", paramLabel = "JDBC_URL",
            description = "Database URL: jdbc:duckdb:PATH or jdbc:clickhouse://HOST:PORT/DB (default: ${DEFAULT-VALUE} unless a profile sets one)")
    String url;

    @Option(names = "--profile", paramLabel = "FILE", description = "Connection profile (YAML: url, user, password_env, password_file, properties, batch_size, batch_interval, max_retries), e.g. conf/profiles/local-clickhouse.yaml")
    Path profile;

    @Option(names = "--sink-user", paramLabel = "USER", description = "Database user")
    String user;

    @Option(names = "--sink-password-env", paramLabel = "VAR", description = "Environment variable holding the password (default: " + ConnectionProfile.DEFAULT_PASSWORD_ENV + " when set)")
    String passwordEnv;

    @Option(names = "--sink-password-file", paramLabel = "FILE", description = "File holding the password (first line)")
    Path passwordFile;

    @Option(names = "--sink-property", paramLabel = "KEY=VALUE", description = "JDBC driver property (repeatable)")
    Map<String, String> properties = new LinkedHashMap<>();

    SinkSettings resolve() {
        return SinkSettings.of(ConnectionProfile.resolve(new ConnectionProfile.Flags(url, profile, user, passwordEnv, passwordFile, properties)));
    }
}
