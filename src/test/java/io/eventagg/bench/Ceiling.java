package io.eventagg.bench;

import io.eventagg.config.JobDefinition;
import io.eventagg.ingest.Event;
import io.eventagg.ingest.EventParser;
import io.eventagg.ingest.Ingested;
import io.eventagg.ingest.JsonLinesFormat;
import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.core.fs.Path;

/**
 * The ceiling: the same files read and parsed into event objects on one thread, exactly as the
 * file source's fetcher does it ({@link JsonLinesFormat}: line splitting, {@link EventParser}),
 * without Flink's runtime. A warm-up pass over the first file, then the timed pass over all.
 */
public final class Ceiling {
    private Ceiling() {}

    public static Map<String, Object> run(JobDefinition job, List<String> files, long warmupEvents) throws Exception {
        JsonLinesFormat format = new JsonLinesFormat(EventParser.forJob(job));
        long sink = parse(format, files.subList(0, 1), warmupEvents, null)[1];
        long t0 = System.nanoTime();
        long[] r = parse(format, files, Long.MAX_VALUE, null);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("events", r[0]);
        out.put("seconds", seconds);
        out.put("events_per_s", r[0] / seconds);
        out.put("checksum", r[1] ^ sink);
        return out;
    }

    /** The valid events of {@code files}, read and parsed as the ceiling (and the file source) does, kept in memory. */
    static List<Event> events(JobDefinition job, List<String> files) throws Exception {
        List<Event> out = new ArrayList<>();
        parse(new JsonLinesFormat(EventParser.forJob(job)), files, Long.MAX_VALUE, out);
        return out;
    }

    /** {events, checksum}; each event also goes to {@code keep} unless it is null. */
    private static long[] parse(JsonLinesFormat format, List<String> files, long limit, List<Event> keep)
            throws Exception {
        long events = 0, checksum = 0;
        for (String f : files) {
            File file = new File(f);
            FileSourceSplit split = new FileSourceSplit(
                    "0",
                    Path.fromLocalFile(file.getAbsoluteFile()),
                    0,
                    file.length(),
                    file.lastModified(),
                    file.length());
            BulkFormat.Reader<Ingested> reader = format.createReader(new Configuration(), split);
            try {
                BulkFormat.RecordIterator<Ingested> batch;
                while (events < limit && (batch = reader.readBatch()) != null) {
                    RecordAndPosition<Ingested> rp;
                    while ((rp = batch.next()) != null) {
                        Ingested i = rp.getRecord();
                        if (i.event() != null) {
                            events++;
                            checksum += i.event().timestamp();
                            if (keep != null) keep.add(i.event());
                        }
                    }
                    batch.releaseBatch();
                }
            } finally {
                reader.close();
            }
        }
        return new long[] {events, checksum};
    }
}
