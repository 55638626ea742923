package io.eventagg.timeseries;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written breakdown JSON of {@link SeriesRows} against Jackson's generator, text for text. */
class SeriesRowsTest {
    private static final String[] ALPHABET = {
        "a",
        "b",
        "pro",
        "free",
        "DE",
        "/",
        "é",
        "日本",
        "\"",
        "\\",
        "\n",
        "\u0001",
        "\u007f",
        "$other",
        " ",
        "\t",
        "\uD83D\uDE00",
        "\uD800"
    };

    private static String word(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
            // mostly plain characters, sometimes one that JSON escapes
            sb.append(r.nextInt(6) == 0 ? ALPHABET[r.nextInt(ALPHABET.length)] : ALPHABET[r.nextInt(8)]);
        }
        return sb.toString();
    }

    @Test
    void handWrittenJsonIsJacksonsText() throws Exception {
        Random r = new Random(7);
        ObjectMapper json = new ObjectMapper();
        int escaped = 0;
        for (int round = 0; round < 20_000; round++) {
            int keys = 1 + r.nextInt(3);
            List<String> names = r.nextInt(50) == 0
                    ? List.of("pl\"an", "country", "path").subList(0, keys)
                    : List.of("plan", "country", "path").subList(0, keys);
            int limit = 1 + r.nextInt(4);
            SeriesRows rows = new SeriesRows(names, limit, 0);
            BreakdownCounts b = new BreakdownCounts(keys, 1 + r.nextInt(6));
            for (int k = 0; k < keys; k++) {
                int values = r.nextInt(7);
                for (int i = 0; i < values; i++) b.add(k, word(r), r.nextInt(5) == 0 ? 0 : 1 + r.nextInt(3));
                if (r.nextInt(4) == 0) b.addOverflow(k, r.nextInt(3));
            }
            String expected = rows.breakdownJsonJackson(b);
            String actual = rows.breakdownJson(b);
            assertThat(actual).as("round %d", round).isEqualTo(expected);
            if (expected.contains("\\")) escaped++;
            json.readTree(actual);
        }
        assertThat(escaped).as("rounds that exercised escaping").isGreaterThan(100);
    }

    @Test
    void topValuesThenOther() {
        SeriesRows rows = new SeriesRows(List.of("plan", "country"), 2, 0);
        BreakdownCounts b = new BreakdownCounts(2, 10);
        b.add(0, "free", 3);
        b.add(0, "pro", 5);
        b.add(0, "team", 3);
        b.add(0, "$other", 1);
        b.addOverflow(0, 2);
        assertThat(rows.breakdownJson(b)).isEqualTo("{\"plan\":{\"pro\":5,\"free\":3,\"$other\":6}}");
    }
}
