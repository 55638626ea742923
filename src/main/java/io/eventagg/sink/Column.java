package io.eventagg.sink;

import java.io.Serializable;

/** One column of an output table. */
public record Column(String name, ColumnType type, boolean nullable) implements Serializable {
    public static Column of(String name, ColumnType type) {
        return new Column(name, type, false);
    }

    public static Column nullable(String name, ColumnType type) {
        return new Column(name, type, true);
    }
}
