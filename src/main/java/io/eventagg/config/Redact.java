package io.eventagg.config;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Hides secrets in text that may reach logs or the console: passwords inside JDBC URLs
 * ({@code //user:secret@host}, {@code ?password=secret}) and the values of configuration keys that
 * look secret ({@code password}, {@code sasl.jaas.config}, {@code ssl.key.password}, tokens...).
 */
public final class Redact {
    public static final String MASK = "****";

    /** Keys whose values are never shown. */
    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?i).*(password|passwd|pwd|secret|jaas|token|credential|private|apikey|api_key|access_key|\\.key$|^key$).*");

    private static final Pattern URL_USERINFO = Pattern.compile("(//[^/@:?#]*):[^/@?#]*@");
    private static final Pattern URL_PARAM = Pattern.compile(
            "(?i)([?&;](?:password|passwd|pwd|secret|token|access_token|sslkeypassword|key_store_password|ssl_key_password)=)[^&;#]*");

    private Redact() {}

    public static boolean isSecretKey(String key) {
        return key != null && SECRET_KEY.matcher(key).matches();
    }

    /** The URL with passwords in its user info and query parameters replaced by {@value #MASK}. */
    public static String url(String url) {
        if (url == null) return null;
        String u = URL_USERINFO.matcher(url).replaceAll("$1:" + MASK + "@");
        return URL_PARAM.matcher(u).replaceAll("$1" + MASK);
    }

    /** The properties sorted by key, secret-looking values replaced by {@value #MASK}. */
    public static Map<String, String> properties(Map<String, String> props) {
        Map<String, String> out = new TreeMap<>();
        if (props == null) return out;
        props.forEach((k, v) -> out.put(k, isSecretKey(k) ? MASK : v));
        return out;
    }

    /** Replaces every occurrence of the given secrets in a text (e.g. a driver's error message). */
    public static String text(String text, String... secrets) {
        if (text == null) return null;
        String t = text;
        for (String s : secrets) {
            if (s != null && s.length() >= 3) t = t.replace(s, MASK);
        }
        return t;
    }
}
