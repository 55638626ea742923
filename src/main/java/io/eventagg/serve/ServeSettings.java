package io.eventagg.serve;

import io.eventagg.config.ConfigException;
import io.eventagg.config.JobDefinition;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * How {@code serve} listens and answers.
 *
 * @param bind the address to listen on (loopback unless a token is set)
 * @param port 0 for any free port
 * @param token the bearer token every API request must carry, or null (loopback only)
 * @param connections database connections answering at once
 * @param cacheTtl how long a final answer is served from memory
 */
public record ServeSettings(
        JobDefinition job, String bind, int port, AccessToken token, int connections, Duration cacheTtl) {

    public ServeSettings {
        if (connections < 1) throw new ConfigException("--connections", "must be at least 1");
        if (token == null && !isLoopback(bind)) {
            throw new ConfigException(
                    "--bind",
                    "listening on " + bind + " (not only this machine) needs a bearer token: set EVENTAGG_API_TOKEN"
                            + " or --token-file");
        }
    }

    static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new ConfigException("--bind", "'" + host + "' is not an address of this machine");
        }
    }
}
