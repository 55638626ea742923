package io.eventagg.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventagg.sketch.Sketches;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code breakdown_users} column ({@code {"plan": {"pro": "<base64 HLL sketch>"}}}) as the
 * estimates it holds, and their comparison with a reference's exact counts.
 */
public final class StoredBreakdownUsers {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StoredBreakdownUsers() {}

    /** Per key and value, the estimate of its sketch. */
    public static Map<String, Map<String, Long>> estimates(String json) throws IOException {
        Map<String, Map<String, String>> stored = JSON.readValue(json, new TypeReference<>() {});
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        stored.forEach((k, values) -> {
            Map<String, Long> m = new LinkedHashMap<>();
            values.forEach((v, sketch) -> m.put(v, Sketches.estimate(Sketches.fromBase64(sketch))));
            out.put(k, m);
        });
        return out;
    }

    /**
     * The stored users per value are those of exactly the expected values, each exact up to 1,000
     * users and within 2 % above.
     */
    public static void assertMatch(String json, Map<String, Map<String, Long>> expected, String where)
            throws IOException {
        assertThat(json).as("breakdown users " + where).isNotNull();
        Map<String, Map<String, Long>> actual = estimates(json);
        assertThat(actual.keySet()).as("breakdown users' keys " + where).isEqualTo(expected.keySet());
        for (Map.Entry<String, Map<String, Long>> k : expected.entrySet()) {
            assertThat(actual.get(k.getKey()).keySet())
                    .as("breakdown users' values " + where)
                    .isEqualTo(k.getValue().keySet());
            k.getValue()
                    .forEach((v, n) -> ClickHouseResults.assertUnique(
                            actual.get(k.getKey()).get(v), n, "users of " + k.getKey() + "=" + v + " " + where));
        }
    }
}
