package io.eventagg.timeseries;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link LongHashSet} against {@link HashSet}: duplicates, zero (its empty marker), growth, colliding values. */
class LongHashSetTest {
    @Test
    void holdsExactlyTheDistinctValuesAdded() {
        Random r = new Random(3);
        for (int round = 0; round < 50; round++) {
            LongHashSet set = new LongHashSet();
            Set<Long> reference = new HashSet<>();
            int n = r.nextInt(5000);
            for (int i = 0; i < n; i++) {
                // Few distinct values in some rounds (many duplicates), zero and negatives included,
                // and multiples of a power of two (the same low bits) to force probing.
                long v = switch (i % 4) {
                    case 0 -> r.nextInt(50) - 25;
                    case 1 -> r.nextLong();
                    case 2 -> (long) r.nextInt(1000) << 32;
                    default -> 0L;
                };
                set.add(v);
                reference.add(v);
            }
            Set<Long> seen = new HashSet<>();
            set.forEach(v -> assertThat(seen.add(v)).as("each value once").isTrue());
            assertThat(seen).isEqualTo(reference);
            assertThat(set.size()).isEqualTo(reference.size());
        }
    }
}
