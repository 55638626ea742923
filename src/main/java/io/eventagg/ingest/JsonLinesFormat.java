package io.eventagg.ingest;

import java.io.IOException;
import java.io.InputStream;
import org.apache.flink.api.common.io.compression.InflaterInputStreamFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.compression.StandardDeCompressors;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.ArrayResultIterator;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * JSON-lines files (plain or compressed by extension: .gz, .bz2, .xz, .deflate) read and parsed in
 * the source's fetcher thread, so parsing overlaps with the rest of the pipeline. Each non-blank
 * line is one record, emitted as an {@link Ingested} event or dead letter with the file and line
 * number. Files are not split; a restored reader skips the records it had already emitted.
 */
public final class JsonLinesFormat implements BulkFormat<Ingested, FileSourceSplit> {
    private static final long serialVersionUID = 1L;
    private static final int BATCH = 512;

    private final EventParser parser;

    public JsonLinesFormat(EventParser parser) {
        this.parser = parser;
    }

    @Override
    public Reader<Ingested> createReader(Configuration config, FileSourceSplit split) throws IOException {
        return open(split, 0);
    }

    @Override
    public Reader<Ingested> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
        long skip = split.getReaderPosition()
                .map(CheckpointedPosition::getRecordsAfterOffset)
                .orElse(0L);
        return open(split, skip);
    }

    private Reader<Ingested> open(FileSourceSplit split, long skipRecords) throws IOException {
        Path path = split.path();
        FileSystem fs = path.getFileSystem();
        InputStream in = fs.open(path);
        InflaterInputStreamFactory<?> inflater = StandardDeCompressors.getDecompressorForFileName(path.getName());
        if (inflater != null) in = inflater.create(in);
        String source = path.toUri().getPath();
        LinesReader reader = new LinesReader(new LineReader(in, parser.maxRecordBytes()), source);
        reader.skip(skipRecords);
        return reader;
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<Ingested> getProducedType() {
        return TypeInformation.of(Ingested.class);
    }

    private final class LinesReader implements BulkFormat.Reader<Ingested> {
        private final LineReader lines;
        private final String source;
        private long emitted;

        LinesReader(LineReader lines, String source) {
            this.lines = lines;
            this.source = source;
        }

        void skip(long records) throws IOException {
            while (emitted < records && lines.next()) {
                if (!lines.isBlank()) emitted++;
            }
        }

        @Override
        public RecordIterator<Ingested> readBatch() throws IOException {
            Ingested[] batch = new Ingested[BATCH];
            int n = 0;
            long firstSkip = emitted;
            while (n < BATCH && lines.next()) {
                if (lines.isBlank()) continue;
                if (lines.oversize()) {
                    int head = Math.min(lines.length(), parser.deadLetterRawBytes());
                    batch[n++] = parser.oversize(
                            lines.bytes(), 0, head, lines.totalLength(), source, -1, lines.lineNumber());
                } else {
                    batch[n++] = parser.parse(lines.bytes(), 0, lines.length(), source, -1, lines.lineNumber());
                }
            }
            if (n == 0) return null;
            emitted += n;
            ArrayResultIterator<Ingested> it = new ArrayResultIterator<>();
            it.set(batch, n, CheckpointedPosition.NO_OFFSET, firstSkip);
            return it;
        }

        @Override
        public void close() throws IOException {
            lines.close();
        }
    }
}
