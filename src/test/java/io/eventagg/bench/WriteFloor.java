package io.eventagg.bench;

import io.eventagg.config.JobDefinition;
import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The DuckDB write floor: the rows the time-series job writes, inserted by DuckDB alone. A backfill
 * of the job into a DuckDB file (untimed), its result tables ({@code ea_*} with rows) exported to
 * Parquet (untimed); then, in a fresh database with the same schema ({@link SchemaManager}, as the
 * CLI's {@code schema --sink}), with DuckDB's default settings, timed: {@code INSERT INTO t SELECT *
 * FROM read_parquet(…)} for each table and closing the database (its checkpoint). What the sink's
 * share of a backfill is, at the least: the same rows, the same primary-key indexes, no Flink.
 */
final class WriteFloor {
    private WriteFloor() {}

    static Map<String, Object> run(
            JobDefinition job, List<String> files, Instant from, Instant to, int parallelism, Path workDir)
            throws Exception {
        Files.createDirectories(workDir);
        System.setProperty("bench.keepDb", "true");
        Map<String, Object> backfill =
                PipelineBench.backfill(job, files, from, to, 0, parallelism, workDir, System.out);
        Path source = workDir.resolve(job.name() + "-backfill.duckdb");
        Path parquet = workDir.resolve("writefloor-parquet");
        ChdbPeer.deleteTree(parquet);
        Files.createDirectories(parquet);
        Map<String, Long> tables = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + source);
                Statement s = c.createStatement()) {
            List<String> names = new ArrayList<>();
            try (ResultSet rs = s.executeQuery(
                    "SELECT table_name FROM information_schema.tables"
                            + " WHERE table_name LIKE 'ea\\_%' ESCAPE '\\' AND table_type = 'BASE TABLE' ORDER BY table_name")) {
                while (rs.next()) names.add(rs.getString(1));
            }
            for (String t : names) {
                long n = DuckDbPeer.count(s, "SELECT count(*) FROM " + t);
                if (n == 0) continue;
                tables.put(t, n);
                s.execute("COPY " + t + " TO '" + parquet.resolve(t + ".parquet") + "' (FORMAT parquet)");
            }
        }
        double export = (System.nanoTime() - t0) / 1e9;
        PipelineBench.deleteDuckDb(source);

        Path fresh = workDir.resolve("writefloor.duckdb");
        PipelineBench.deleteDuckDb(fresh);
        SchemaManager.apply(SinkSettings.of("jdbc:duckdb:" + fresh));
        Map<String, Object> perTable = new LinkedHashMap<>();
        long rows = 0;
        long t1 = System.nanoTime();
        double insert;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + fresh);
                Statement s = c.createStatement()) {
            for (String t : tables.keySet()) {
                long t2 = System.nanoTime();
                rows += s.executeUpdate(
                        "INSERT INTO " + t + " SELECT * FROM read_parquet('" + parquet.resolve(t + ".parquet") + "')");
                perTable.put(t + "_seconds", (System.nanoTime() - t2) / 1e9);
            }
            insert = (System.nanoTime() - t1) / 1e9;
        }
        double seconds = (System.nanoTime() - t1) / 1e9;
        long check = 0;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + fresh);
                Statement s = c.createStatement()) {
            for (String t : tables.keySet()) check += DuckDbPeer.count(s, "SELECT count(*) FROM " + t);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("read", backfill.get("read"));
        out.put("backfill_rows", backfill.get("rows"));
        out.put("backfill_job_seconds", backfill.get("job_seconds"));
        out.put("tables", tables);
        out.put(
                "source_rows",
                tables.values().stream().mapToLong(Long::longValue).sum());
        out.put("rows", rows);
        out.put("rows_in_tables", check);
        out.put("export_seconds", export);
        out.put("insert_seconds", insert);
        out.put("seconds", seconds);
        out.putAll(perTable);
        out.put("db_bytes", Files.size(fresh));
        PipelineBench.deleteDuckDb(fresh);
        ChdbPeer.deleteTree(parquet);
        return out;
    }
}
