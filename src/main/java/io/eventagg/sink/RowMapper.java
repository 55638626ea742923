package io.eventagg.sink;

import java.io.Serializable;

/** Turns an output record into a row of values in its {@link TableSpec}'s column order. */
@FunctionalInterface
public interface RowMapper<T> extends Serializable {
    Object[] toRow(T record);
}
