package io.eventagg.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A database connection as a profile file ({@code --profile}, see {@code conf/profiles/}) and the
 * flags on top of it describe it. Here, not in an entry point, because the CLI and the cluster jobs
 * read the same profiles with the same rules; {@code SinkSettings.of(ConnectionProfile)} turns it
 * into the sink's settings (the URL's dialect and its defaults are the sink's business).
 *
 * @param url the database URL, null when neither the profile nor a flag names one
 * @param password read from an environment variable or a file, never from the command line; null
 *     when none is configured
 * @param batchSize null, batchInterval null, maxRetries null: not set, the dialect's default applies
 */
public record ConnectionProfile(
        String url,
        String user,
        String password,
        Map<String, String> properties,
        Integer batchSize,
        Duration batchInterval,
        Integer maxRetries) {
    /** Where the password is read from when no other source is given. */
    public static final String DEFAULT_PASSWORD_ENV = "EVENTAGG_SINK_PASSWORD";

    private static final Set<String> PROFILE_KEYS = Set.of(
            "url",
            "user",
            "password_env",
            "password_file",
            "properties",
            "batch_size",
            "batch_interval",
            "max_retries");

    public ConnectionProfile {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    /** What the flags say; null (or empty) where a flag was not given. */
    public record Flags(
            String url,
            Path profile,
            String user,
            String passwordEnv,
            Path passwordFile,
            Map<String, String> properties) {}

    /** The profile file first, then the flags on top of it. */
    public static ConnectionProfile resolve(Flags flags) {
        String url = null;
        String user = flags.user();
        String pwEnv = flags.passwordEnv();
        Path pwFile = flags.passwordFile();
        Map<String, String> props = new LinkedHashMap<>();
        Integer batchSize = null;
        Duration batchInterval = null;
        Integer maxRetries = null;
        if (flags.profile() != null) {
            ConfigNode root = read(flags.profile());
            root.requireObject(PROFILE_KEYS);
            url = root.string("url", null);
            if (!root.get("batch_size").isMissing()) batchSize = root.intValue("batch_size", 0, 1, 1_000_000);
            if (!root.get("batch_interval").isMissing()) batchInterval = root.duration("batch_interval", null);
            if (!root.get("max_retries").isMissing()) maxRetries = root.intValue("max_retries", 0, 0, 100);
            if (user == null) user = root.string("user", null);
            if (pwEnv == null) pwEnv = root.string("password_env", null);
            if (pwFile == null && root.string("password_file", null) != null)
                pwFile = Path.of(root.string("password_file", null));
            ConfigNode p = root.get("properties");
            if (!p.isMissing()) {
                if (!p.raw().isObject())
                    throw new ConfigException(flags.profile() + ": properties", "must be a mapping");
                p.raw()
                        .fields()
                        .forEachRemaining(
                                e -> props.put(e.getKey(), e.getValue().asText()));
            }
        }
        if (flags.url() != null) url = flags.url();
        if (flags.properties() != null) props.putAll(flags.properties());
        return new ConnectionProfile(url, user, password(pwEnv, pwFile), props, batchSize, batchInterval, maxRetries);
    }

    private static String password(String env, Path file) {
        if (env != null && file != null) {
            throw new ConfigException(
                    "--sink-password-env",
                    "give the password either through an environment variable or a file, not both");
        }
        if (file != null) {
            try {
                String text = Files.readString(file).lines().findFirst().orElse("");
                if (text.isEmpty()) throw new ConfigException("--sink-password-file", "'" + file + "' is empty");
                return text;
            } catch (IOException e) {
                throw new ConfigException(
                        "--sink-password-file",
                        "cannot read '" + file + "': " + e.getClass().getSimpleName());
            }
        }
        if (env != null) {
            String v = System.getenv(env);
            if (v == null)
                throw new ConfigException("--sink-password-env", "environment variable " + env + " is not set");
            return v;
        }
        return System.getenv(DEFAULT_PASSWORD_ENV);
    }

    private static ConfigNode read(Path file) {
        try {
            var tree = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
            if (tree == null) throw new ConfigException(file.toString(), "the profile is empty");
            return new ConfigNode(tree, file + ":");
        } catch (IOException e) {
            throw new ConfigException("--profile", "cannot read '" + file + "': " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "ConnectionProfile[url=" + Redact.url(url) + ", user=" + user + ", password="
                + (password == null ? "none" : Redact.MASK) + ", properties=" + Redact.properties(properties)
                + ", batch=" + batchSize + "/" + batchInterval + ", retries=" + maxRetries + "]";
    }
}
