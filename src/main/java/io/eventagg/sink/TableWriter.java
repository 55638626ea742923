package io.eventagg.sink;

import java.sql.SQLException;
import java.util.List;

/**
 * Writes batches of one table's rows over one JDBC connection: each row the full value of its key
 * with its version, so writing a batch again (a retry, a replay) changes nothing. One per database,
 * chosen by {@link SqlDialect#tableWriter}: {@link DuckDbTableWriter}, {@link ClickHouseTableWriter}.
 */
public interface TableWriter extends AutoCloseable {

    /** Writes the rows (values in {@link TableSpec} column order); the list is only read. */
    void write(List<Object[]> rows) throws SQLException;

    /** Lets go of what the writer holds; the connection stays open (its owner closes it). Never throws. */
    @Override
    default void close() {}
}
