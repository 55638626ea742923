package io.eventagg.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.eventagg.config.ConfigException;
import io.eventagg.config.ConfigNode;
import io.eventagg.config.Durations;
import io.eventagg.config.Redact;
import io.eventagg.sink.Secret;
import io.eventagg.sink.SinkSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * Where results are written and read: a JDBC URL, or a connection profile file, plus credentials.
 * Passwords come only from an environment variable or a file, never from the command line.
 */
public final class SinkOptions {
    static final String DEFAULT_PASSWORD_ENV = "EVENTAGG_SINK_PASSWORD";

    @Option(names = "--sink", paramLabel = "JDBC_URL",
            description = "Database URL: jdbc:duckdb:PATH or jdbc:clickhouse://HOST:PORT/DB (default: ${DEFAULT-VALUE} unless a profile sets one)")
    String url;

    @Option(names = "--profile", paramLabel = "FILE", description = "Connection profile (YAML: url, user, password_env, password_file, properties, batch_size, batch_interval, max_retries), e.g. conf/profiles/local-clickhouse.yaml")
    Path profile;

    @Option(names = "--sink-user", paramLabel = "USER", description = "Database user")
    String user;

    @Option(names = "--sink-password-env", paramLabel = "VAR", description = "Environment variable holding the password (default: " + DEFAULT_PASSWORD_ENV + " when set)")
    String passwordEnv;

    @Option(names = "--sink-password-file", paramLabel = "FILE", description = "File holding the password (first line)")
    Path passwordFile;

    @Option(names = "--sink-property", paramLabel = "KEY=VALUE", description = "JDBC driver property (repeatable)")
    Map<String, String> properties = new LinkedHashMap<>();

    /**
     * Resolves the settings: profile first, then flags on top. Batching that neither sets is the
     * final URL's dialect's default (DuckDB and ClickHouse differ), also when {@code --sink} names
     * another database than the profile.
     */
    public SinkSettings resolve() {
        String u = user;
        String pwEnv = passwordEnv;
        Path pwFile = passwordFile;
        Map<String, String> props = new LinkedHashMap<>();
        String target = SinkSettings.DEFAULT_URL;
        Integer batchSize = null;
        java.time.Duration batchInterval = null;
        Integer maxRetries = null;
        if (profile != null) {
            ConfigNode root = readProfile(profile);
            root.requireObject(Set.of("url", "user", "password_env", "password_file", "properties", "batch_size", "batch_interval", "max_retries"));
            target = root.string("url", SinkSettings.DEFAULT_URL);
            if (!root.get("batch_size").isMissing()) batchSize = root.intValue("batch_size", 0, 1, 1_000_000);
            if (!root.get("batch_interval").isMissing()) batchInterval = root.duration("batch_interval", null);
            if (!root.get("max_retries").isMissing()) maxRetries = root.intValue("max_retries", 0, 0, 100);
            if (u == null) u = root.string("user", null);
            if (pwEnv == null) pwEnv = root.string("password_env", null);
            if (pwFile == null && root.string("password_file", null) != null) pwFile = Path.of(root.string("password_file", null));
            ConfigNode p = root.get("properties");
            if (!p.isMissing()) {
                if (!p.raw().isObject()) throw new ConfigException(profile + ": properties", "must be a mapping");
                p.raw().fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue().asText()));
            }
        }
        if (url != null) target = url;
        SinkSettings s = SinkSettings.of(target);
        s = s.withBatch(batchSize != null ? batchSize : s.batchSize(), batchInterval != null ? batchInterval.toMillis() : s.batchIntervalMs());
        if (maxRetries != null) s = s.withMaxRetries(maxRetries);
        props.putAll(properties);
        s = s.withProperties(props).withCredentials(u, password(pwEnv, pwFile));
        s.dialect();
        return s;
    }

    private static Secret password(String env, Path file) {
        if (env != null && file != null) {
            throw new ConfigException("--sink-password-env", "give the password either through an environment variable or a file, not both");
        }
        if (file != null) {
            try {
                String text = Files.readString(file).lines().findFirst().orElse("");
                if (text.isEmpty()) throw new ConfigException("--sink-password-file", "'" + file + "' is empty");
                return Secret.of(text);
            } catch (IOException e) {
                throw new ConfigException("--sink-password-file", "cannot read '" + file + "': " + e.getClass().getSimpleName());
            }
        }
        if (env != null) {
            String v = System.getenv(env);
            if (v == null) throw new ConfigException("--sink-password-env", "environment variable " + env + " is not set");
            return Secret.of(v);
        }
        String dflt = System.getenv(DEFAULT_PASSWORD_ENV);
        return dflt == null ? null : Secret.of(dflt);
    }

    private static ConfigNode readProfile(Path file) {
        try {
            var tree = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
            if (tree == null) throw new ConfigException(file.toString(), "the profile is empty");
            return new ConfigNode(tree, file + ":");
        } catch (IOException e) {
            throw new ConfigException("--profile", "cannot read '" + file + "': " + e.getMessage());
        }
    }

    static String describe(SinkSettings s) {
        return Redact.url(s.url()) + (s.user() == null ? "" : " as " + s.user()) + " (batch " + s.batchSize() + " rows / "
                + Durations.format(java.time.Duration.ofMillis(s.batchIntervalMs())) + ")";
    }
}
