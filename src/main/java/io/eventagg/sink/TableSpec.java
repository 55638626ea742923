package io.eventagg.sink;

import java.io.Serializable;
import java.util.List;

/**
 * The shape of an output table as the writers see it: columns in row order and the natural key.
 * The DDL itself lives in the reviewable {@code sql/<dialect>/schema.sql} files; a test checks
 * that both agree.
 *
 * @param versioned rows carry a {@code version} column and a newer version wins
 */
public record TableSpec(String name, List<Column> columns, List<String> key, boolean versioned)
        implements Serializable {

    public int indexOf(String column) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(column)) return i;
        }
        return -1;
    }

    public int[] keyIndexes() {
        int[] k = new int[key.size()];
        for (int i = 0; i < k.length; i++) k[i] = indexOf(key.get(i));
        return k;
    }
}
