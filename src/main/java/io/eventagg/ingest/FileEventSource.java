package io.eventagg.ingest;

import io.eventagg.config.ConfigException;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;

/**
 * A bounded source over JSON-lines files: a file, or a directory (read recursively; hidden files
 * and files starting with '_' are skipped), plain or compressed.
 */
public final class FileEventSource {
    private FileEventSource() {}

    public static FileSource<Ingested> of(List<String> inputs, EventParser parser) {
        List<Path> paths = new ArrayList<>();
        for (String in : inputs) {
            File f = new File(in);
            if (!f.exists()) throw new ConfigException("--input", "'" + in + "' does not exist");
            if (!f.canRead()) throw new ConfigException("--input", "'" + in + "' is not readable");
            paths.add(Path.fromLocalFile(f.getAbsoluteFile()));
        }
        return FileSource.forBulkFileFormat(new JsonLinesFormat(parser), paths.toArray(new Path[0]))
                .build();
    }
}
