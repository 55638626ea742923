package io.eventagg.sink;

import io.eventagg.config.ConfigException;
import io.eventagg.config.ConnectionProfile;
import io.eventagg.config.Redact;
import java.io.Serializable;
import java.util.Map;
import java.util.Properties;

/**
 * Where and how results are written: a JDBC URL (the dialect follows from it), credentials and
 * driver properties, and the batching of the JDBC sink. The password is resolved from an
 * environment variable or a file by the caller and is never printed.
 *
 * @param batchSize rows per insert (by default the dialect's, see {@link #of})
 * @param batchIntervalMs flush a non-empty batch after this long even if it is not full
 * @param maxRetries attempts after a failed insert, with growing back-off, before the job fails
 *     (and restarts per its restart strategy)
 */
public record SinkSettings(
        String url,
        String user,
        Secret password,
        Map<String, String> properties,
        int batchSize,
        long batchIntervalMs,
        int maxRetries)
        implements Serializable {

    public static final String DEFAULT_URL = "jdbc:duckdb:data/eventagg.duckdb";

    public SinkSettings {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    /** Settings for a URL with the defaults: its dialect's batch size ({@link SqlDialect#defaultBatchSize}), 1 s, 5 retries. */
    public static SinkSettings of(String url) {
        return new SinkSettings(url, null, null, Map.of(), defaultBatchSize(url), 1000, 5);
    }

    /**
     * Settings for a resolved connection profile: its URL ({@link #DEFAULT_URL} when it names none),
     * batching it does not set from that URL's dialect. Fails when no dialect takes the URL.
     */
    public static SinkSettings of(ConnectionProfile p) {
        SinkSettings s = of(p.url() != null ? p.url() : DEFAULT_URL);
        s = s.withBatch(
                p.batchSize() != null ? p.batchSize() : s.batchSize(),
                p.batchInterval() != null ? p.batchInterval().toMillis() : s.batchIntervalMs());
        if (p.maxRetries() != null) s = s.withMaxRetries(p.maxRetries());
        s = s.withProperties(p.properties()).withCredentials(p.user(), Secret.of(p.password()));
        s.dialect();
        return s;
    }

    /** The batch size of a URL's dialect; the general default for a URL no dialect takes (it fails when used). */
    public static int defaultBatchSize(String url) {
        try {
            return SqlDialect.forUrl(url).defaultBatchSize();
        } catch (ConfigException e) {
            return SqlDialect.DEFAULT_BATCH_SIZE;
        }
    }

    public SinkSettings withBatch(int size, long intervalMs) {
        return new SinkSettings(url, user, password, properties, size, intervalMs, maxRetries);
    }

    public SinkSettings withCredentials(String user, Secret password) {
        return new SinkSettings(url, user, password, properties, batchSize, batchIntervalMs, maxRetries);
    }

    public SinkSettings withProperties(Map<String, String> props) {
        return new SinkSettings(url, user, password, props, batchSize, batchIntervalMs, maxRetries);
    }

    public SinkSettings withMaxRetries(int retries) {
        return new SinkSettings(url, user, password, properties, batchSize, batchIntervalMs, retries);
    }

    public SqlDialect dialect() {
        return SqlDialect.forUrl(url);
    }

    /** Driver properties including credentials. */
    public Properties driverProperties() {
        Properties p = new Properties();
        p.putAll(properties);
        if (user != null) p.setProperty("user", user);
        if (password != null) p.setProperty("password", password.reveal());
        return p;
    }

    @Override
    public String toString() {
        return "SinkSettings[url=" + Redact.url(url) + ", user=" + user + ", password="
                + (password == null ? "none" : Redact.MASK)
                + ", properties=" + Redact.properties(properties) + ", batch=" + batchSize + "/" + batchIntervalMs
                + "ms, retries="
                + maxRetries + "]";
    }
}
