package io.eventagg.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plain HTTP access to a ClickHouse server on any port (as the default user), independent of the
 * JDBC driver under test: the shared test server ({@link ClickHouseServer}) and servers that tests
 * run next to it (the chaos run's).
 */
public final class ClickHouseHttp {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;

    public ClickHouseHttp(int httpPort) {
        this.base = "http://127.0.0.1:" + httpPort + "/";
    }

    public boolean ping() {
        try {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(base + "ping"))
                            .timeout(Duration.ofSeconds(3))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().startsWith("Ok");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs a statement in a database (null: the default), returns the raw answer. */
    public String execute(String database, String sql) throws IOException, InterruptedException {
        return execute(database, sql, null);
    }

    /**
     * Runs a statement in a database (null: the default), returns the raw answer. With data, the
     * statement goes into the URL and the data is the body (for {@code INSERT ... FORMAT X}).
     */
    public String execute(String database, String sql, byte[] data) throws IOException, InterruptedException {
        String url =
                base + (database == null ? "" : "?database=" + URLEncoder.encode(database, StandardCharsets.UTF_8));
        HttpRequest.Builder b = HttpRequest.newBuilder().timeout(Duration.ofMinutes(5));
        if (data == null) {
            b.uri(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(sql));
        } else {
            String sep = url.contains("?") ? "&" : "?";
            b.uri(URI.create(url + sep + "query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8)))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(data));
        }
        HttpResponse<String> r = send(b.build());
        if (r.statusCode() != 200)
            throw new IOException("ClickHouse HTTP " + r.statusCode() + " for " + sql + ": " + r.body());
        return r.body();
    }

    /**
     * Sends once more when the server closed a pooled keep-alive connection just as the request
     * went out (the JDK keeps idle connections far longer than the server's keep_alive_timeout):
     * such a request never reached the server, so repeating it cannot run a statement twice.
     */
    private static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            if (!isClosedIdleConnection(e)) throw e;
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
    }

    static boolean isClosedIdleConnection(IOException e) {
        String m = e.getMessage();
        return m != null && m.contains("header parser received no bytes");
    }

    /** A query's rows as maps of column name to (unescaped) text; NULL as null. */
    public List<Map<String, String>> query(String database, String sql) throws IOException, InterruptedException {
        String body = execute(database, sql + " FORMAT TabSeparatedWithNames");
        List<Map<String, String>> out = new ArrayList<>();
        String[] lines = body.split("\n", -1);
        if (lines.length == 0 || lines[0].isEmpty()) return out;
        String[] header = lines[0].split("\t", -1);
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isEmpty()) continue;
            String[] f = lines[i].split("\t", -1);
            Map<String, String> row = new LinkedHashMap<>();
            for (int c = 0; c < header.length; c++) {
                row.put(
                        ClickHouseServer.unescape(header[c]),
                        f[c].equals("\\N") ? null : ClickHouseServer.unescape(f[c]));
            }
            out.add(row);
        }
        return out;
    }

    public long count(String database, String sql) throws IOException, InterruptedException {
        return Long.parseLong(execute(database, sql).trim());
    }
}
