package io.eventagg.sink;

/** Column types of output tables, mapped to each dialect's own types. */
public enum ColumnType {
    TEXT,
    LONG,
    INT,
    DOUBLE,
    BOOL,
    /** An instant, carried in rows as epoch milliseconds UTC. */
    TIMESTAMP
}
