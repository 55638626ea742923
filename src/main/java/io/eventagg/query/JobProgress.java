package io.eventagg.query;

import io.eventagg.sink.Tables;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * How far the job's event time has progressed, as the pipeline writes it to {@code ea_progress}:
 * funnels and retention compare conversion windows and periods with it to say whether an answer
 * can still change.
 */
final class JobProgress {
    private JobProgress() {}

    /** The job's watermark (epoch ms), or null when unknown. */
    static Long watermark(QueryDatabase db, String job) throws SQLException {
        try (PreparedStatement ps = db.prepare("SELECT " + db.dialect().epochMillis("watermark") + " FROM "
                + db.dialect().current(Tables.PROGRESS) + " WHERE job = ?")) {
            ps.setString(1, job);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }
}
