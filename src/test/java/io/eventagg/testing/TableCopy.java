package io.eventagg.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.sink.ColumnType;
import io.eventagg.sink.ConnectionFactory;
import io.eventagg.sink.TableSpec;
import io.eventagg.sink.TableWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies a table's rows from DuckDB to ClickHouse through the ClickHouse sink's write path: the same
 * rows, not a second run of the pipeline, whose sketches may merge into estimates differing in the
 * last digits (HLL unions are order-sensitive), so both databases can be held to identical answers.
 */
public final class TableCopy {
    private TableCopy() {}

    /** @return the rows copied (all of them are then in ClickHouse) */
    public static int duckDbToClickHouse(String duckUrl, ClickHouseServer.Database db, TableSpec table)
            throws Exception {
        String cols = String.join(
                ", ",
                table.columns().stream()
                        .map(c -> c.type() == ColumnType.TIMESTAMP ? "epoch_ms(" + c.name() + ")" : c.name())
                        .toList());
        List<Object[]> rows = new ArrayList<>();
        try (Connection duck = DriverManager.getConnection(duckUrl);
                Statement st = duck.createStatement();
                ResultSet rs = st.executeQuery("SELECT " + cols + " FROM " + table.name())) {
            while (rs.next()) {
                Object[] row = new Object[table.columns().size()];
                for (int i = 0; i < row.length; i++) row[i] = rs.getObject(i + 1);
                rows.add(row);
            }
        }
        try (Connection c = ConnectionFactory.openForWriting(db.settings());
                TableWriter w = db.settings().dialect().tableWriter(c, table)) {
            w.write(rows);
        }
        assertThat(db.count("SELECT count() FROM " + table.name() + " FINAL")).isEqualTo(rows.size());
        return rows.size();
    }
}
