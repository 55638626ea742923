package io.eventagg.serve;

import io.eventagg.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * The API's bearer token: read from an environment variable or a file (never a flag's value, which
 * other users of the machine can see), never printed, compared in constant time.
 */
public final class AccessToken {
    /** The environment variable {@code serve} reads the token from. */
    public static final String ENV = "EVENTAGG_API_TOKEN";

    private static final int MIN_LENGTH = 16;
    private final byte[] expected;

    private AccessToken(String token, String source) {
        if (token.length() < MIN_LENGTH)
            throw new ConfigException(source, "the token must have at least " + MIN_LENGTH + " characters");
        this.expected = token.getBytes(StandardCharsets.UTF_8);
    }

    public static AccessToken of(String token) {
        return new AccessToken(token, "token");
    }

    /** From {@code file} if given, else from {@link #ENV}; null when neither is set. */
    public static AccessToken resolve(Path file, String envValue) {
        if (file != null) {
            try {
                return new AccessToken(Files.readString(file).strip(), "--token-file");
            } catch (IOException e) {
                throw new ConfigException("--token-file", "cannot read " + file + ": " + e.getMessage());
            }
        }
        if (envValue == null || envValue.isBlank()) return null;
        return new AccessToken(envValue.strip(), ENV);
    }

    /** Whether an {@code Authorization} header carries this token as a bearer token. */
    boolean accepts(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
        byte[] given = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, given);
    }

    @Override
    public String toString() {
        return "AccessToken[****]";
    }
}
