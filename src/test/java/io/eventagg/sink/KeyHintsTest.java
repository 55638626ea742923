package io.eventagg.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Recently written key hashes: two bounded generations. */
class KeyHintsTest {
    @Test
    void remembersWhatWasAddedIncludingZeroAndGrows() {
        KeyHints hints = new KeyHints(1 << 20);
        for (long h = -5000; h <= 5000; h++) hints.add(h * 0x9E3779B97F4A7C15L);
        for (long h = -5000; h <= 5000; h++)
            assertThat(hints.contains(h * 0x9E3779B97F4A7C15L)).isTrue();
        assertThat(hints.contains(0)).isTrue();
        assertThat(hints.contains(12345)).isFalse();
    }

    @Test
    void theOldestGenerationIsDroppedButKeysAddedAgainStay() {
        KeyHints hints = new KeyHints(4);
        for (long h = 1; h <= 4; h++) hints.add(h);
        hints.add(5); // {1..4} becomes the previous generation
        hints.add(1); // a hot key: written again, now also in the current generation
        for (long h = 6; h <= 7; h++) hints.add(h);
        hints.add(8); // {5, 1, 6, 7} is full: {1..4} is dropped
        assertThat(hints.contains(1)).isTrue();
        assertThat(hints.contains(2)).isFalse();
        assertThat(hints.contains(4)).isFalse();
        for (long h = 5; h <= 8; h++) assertThat(hints.contains(h)).as("%d", h).isTrue();
    }
}
