package io.eventagg.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The newest row per key of a batch, against a plain reference (a map of key lists). */
class BatchKeysTest {
    private static final int[] KEY = {0, 1};
    private static final int VERSION = 2;

    private static List<Object[]> distinct(BatchKeys keys) {
        List<Object[]> out = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) out.add(keys.row(i));
        return out;
    }

    @Test
    void keepsTheHighestVersionAndTheLastOfEqualOnesWhereTheKeyFirstAppeared() {
        BatchKeys keys = new BatchKeys(KEY, VERSION);
        Object[] a1 = {"a", 1L, 1L, "first"},
                b5 = {"b", 1L, 5L, "b"},
                a3 = {"a", 1L, 3L, "newest"},
                a2 = {"a", 1L, 2L, "older"};
        Object[] c7 = {"c", 2L, 7L, "c"}, c7later = {"c", 2L, 7L, "later of equal versions"};
        keys.newestPerKey(List.of(a1, b5, a3, a2, c7, c7later));
        assertThat(distinct(keys)).containsExactly(a3, b5, c7later);
    }

    @Test
    void withoutVersionsTheLastRowOfAKeyWins() {
        BatchKeys keys = new BatchKeys(KEY, -1);
        Object[] x = {"a", 1L, "x"}, y = {"a", 1L, "y"}, z = {"a", 2L, "z"};
        keys.newestPerKey(List.of(x, z, y));
        assertThat(distinct(keys)).containsExactly(y, z);
    }

    @Test
    void keysWithEqualStringHashesAndNullsStayApart() {
        assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
        BatchKeys keys = new BatchKeys(KEY, VERSION);
        Object[] aa = {"Aa", 1L, 1L}, bb = {"BB", 1L, 1L}, nullKey = {null, 1L, 1L}, nullKey2 = {null, 1L, 2L};
        keys.newestPerKey(List.of(aa, bb, nullKey, nullKey2));
        assertThat(distinct(keys)).containsExactly(aa, bb, nullKey2);
        assertThat(keys.hash(0))
                .as("equal string hashes, equal key hashes: the keys themselves are compared")
                .isEqualTo(keys.hash(1));
    }

    @Test
    void agreesWithAReferenceOverRandomBatchesReusingItsArrays() {
        Random random = new Random(7);
        BatchKeys keys = new BatchKeys(KEY, VERSION);
        for (int round = 0; round < 200; round++) {
            int n = random.nextInt(round % 10 == 0 ? 5000 : 50);
            List<Object[]> batch = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                batch.add(new Object[] {"k" + random.nextInt(20), (long) random.nextInt(30), (long) random.nextInt(4), i
                });
            }
            keys.newestPerKey(batch);
            // reference: first-seen order, newest (last of equal) version
            List<Object[]> expected = new ArrayList<>();
            for (Object[] r : batch) {
                int at = -1;
                for (int j = 0; j < expected.size(); j++) {
                    if (expected.get(j)[0].equals(r[0]) && expected.get(j)[1].equals(r[1])) at = j;
                }
                if (at < 0) expected.add(r);
                else if ((long) r[2] >= (long) expected.get(at)[2]) expected.set(at, r);
            }
            assertThat(distinct(keys)).as("round %d", round).containsExactlyElementsOf(expected);
        }
    }
}
