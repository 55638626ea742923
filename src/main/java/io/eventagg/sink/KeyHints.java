package io.eventagg.sink;

/**
 * The key hashes ({@link BatchKeys#hash}) one writer has written recently, as a hint of which rows
 * are updates of a row already in the table and which ones are probably new keys. Only a hint:
 * a wrong one costs time, never correctness (a "new" row whose key exists makes the direct append
 * fail and the batch is merged; an "old" row whose key does not exist is inserted by the merge).
 *
 * <p>Bounded: two generations of at most {@code generationSize} hashes each; when the current one
 * is full it becomes the previous one and the oldest is dropped. Keys that keep being updated (the
 * open buckets of a stream) are re-added on every write, so they stay.
 */
final class KeyHints {
    private final int generationSize;
    private Set current = new Set();
    private Set previous = new Set();

    KeyHints(int generationSize) {
        this.generationSize = generationSize;
    }

    boolean contains(long hash) {
        return current.contains(hash) || previous.contains(hash);
    }

    void add(long hash) {
        if (current.contains(hash)) return;
        if (current.size >= generationSize) {
            previous = current;
            current = new Set();
        }
        current.add(hash);
    }

    /** Open addressing over longs; 0 is stored as a flag of its own. */
    private static final class Set {
        private long[] table = new long[64];
        private int size;
        private boolean hasZero;

        boolean contains(long h) {
            if (h == 0) return hasZero;
            int mask = table.length - 1;
            for (int s = (int) h & mask; table[s] != 0; s = (s + 1) & mask) {
                if (table[s] == h) return true;
            }
            return false;
        }

        void add(long h) {
            if (h == 0) {
                if (!hasZero) size++;
                hasZero = true;
                return;
            }
            if (size * 2 >= table.length) grow();
            int mask = table.length - 1;
            int s = (int) h & mask;
            for (; table[s] != 0; s = (s + 1) & mask) {
                if (table[s] == h) return;
            }
            table[s] = h;
            size++;
        }

        private void grow() {
            long[] old = table;
            table = new long[old.length * 2];
            int mask = table.length - 1;
            for (long h : old) {
                if (h == 0) continue;
                int s = (int) h & mask;
                while (table[s] != 0) s = (s + 1) & mask;
                table[s] = h;
            }
        }
    }
}
