package io.eventagg.refresh;

import io.eventagg.sink.ConnectionFactory;
import io.eventagg.sink.RowVersion;
import io.eventagg.sink.SinkSettings;
import io.eventagg.sink.SqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Refresh bookkeeping in {@code ea_refreshes}: each refresh takes the next generation number, which
 * goes into the version of every row it writes (so its rows replace older ones whatever their
 * progress), and is marked running until its stale rows are gone.
 */
public final class RefreshLog {
    private RefreshLog() {}

    public static long begin(SinkSettings sink, String job, RefreshRange range) throws SQLException {
        SqlDialect d = sink.dialect();
        try (Connection c = ConnectionFactory.open(sink)) {
            long generation;
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT max(generation) FROM ea_refreshes")) {
                generation = (rs.next() ? rs.getLong(1) : 0) + 1;
            }
            if (generation > RowVersion.MAX_GENERATION) throw new SQLException("refresh generations exhausted");
            record(c, d, generation, job, range, "running");
            return generation;
        }
    }

    /** Ends a refresh: {@code done} or {@code failed}. */
    public static void finish(SinkSettings sink, long generation, String job, RefreshRange range, String status)
            throws SQLException {
        try (Connection c = ConnectionFactory.open(sink)) {
            record(c, sink.dialect(), generation, job, range, status);
        }
    }

    private static void record(
            Connection c, SqlDialect d, long generation, String job, RefreshRange range, String status)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO ea_refreshes (generation, job, range_from, range_to, status, recorded_at)"
                        + " VALUES (?, ?, " + d.timestampParam() + ", " + d.timestampParam() + ", ?, "
                        + d.timestampParam() + ")")) {
            ps.setLong(1, generation);
            ps.setString(2, job);
            ps.setLong(3, range.from().toEpochMilli());
            ps.setLong(4, range.to().toEpochMilli());
            ps.setString(5, status);
            ps.setLong(6, System.currentTimeMillis());
            ps.executeUpdate();
        }
    }

    /**
     * The requested ranges ({@code [from, to)} as epoch ms) of the refreshes of {@code job} that are
     * running. A refresh that died without an end row is not running once a later refresh of the
     * job has ended (refreshes of one job run one at a time).
     */
    public static List<long[]> running(Connection c, SqlDialect d, String job) throws SQLException {
        String sql = "SELECT generation, status, " + d.epochMillis("range_from") + ", " + d.epochMillis("range_to")
                + " FROM ea_refreshes WHERE job = ?";
        Map<Long, long[]> started = new HashMap<>();
        Set<Long> ended = new HashSet<>();
        long lastEnded = Long.MIN_VALUE;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, job);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long g = rs.getLong(1);
                    if ("running".equals(rs.getString(2))) {
                        started.put(g, new long[] {rs.getLong(3), rs.getLong(4)});
                    } else {
                        ended.add(g);
                        lastEnded = Math.max(lastEnded, g);
                    }
                }
            }
        }
        List<long[]> out = new ArrayList<>();
        for (Map.Entry<Long, long[]> e : started.entrySet()) {
            if (!ended.contains(e.getKey()) && e.getKey() > lastEnded) out.add(e.getValue());
        }
        return out;
    }
}
