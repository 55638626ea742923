package io.eventagg.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.LimitSettings;
import io.eventagg.filter.PropertySelection;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonLinesFormatTest {

    private static final int MAX_RECORD_BYTES = 1000;
    private static final int RAW_BYTES = 64;

    private static final EventParser PARSER = new EventParser(
            "production",
            new PropertySelection(List.of("plan")),
            new LimitSettings(
                    MAX_RECORD_BYTES,
                    RAW_BYTES,
                    10_000,
                    Instant.parse("2000-01-01T00:00:00Z").toEpochMilli(),
                    Duration.ofDays(1)));

    @TempDir
    Path dir;

    private static String event(String name) {
        return "{\"event\":\"" + name
                + "\",\"distinct_id\":\"u\",\"timestamp\":\"2024-05-01T00:00:00Z\",\"properties\":{\"plan\":\"" + name
                + "\"}}";
    }

    /** One physical line of the test file: its text and how it ends. */
    private record Line(String text, String ending) {}

    private static final String OVERSIZE = "{\"event\":\"big\",\"pad\":\"" + "x".repeat(5_000_000) + "\"}";

    /** The lines of the main fixture; physical line numbers are 1-based indexes into this list. */
    private static List<Line> fixture() {
        return List.of(
                new Line(event("one"), "\n"), // 1
                new Line("", "\n"), // 2 blank
                new Line("   \t ", "\n"), // 3 blank
                new Line(event("four"), "\r\n"), // 4 CRLF
                new Line("", "\r\n"), // 5 blank CRLF
                new Line(OVERSIZE, "\n"), // 6 over max_record_bytes
                new Line(event("seven"), "\n"), // 7
                new Line("{\"event\":", "\r\n"), // 8 invalid JSON, CRLF
                new Line("  " + event("nine") + " ", "\n"), // 9 surrounding spaces
                new Line(event("ten"), "")); // 10 last line without a newline
    }

    /** Non-blank physical line numbers of the fixture, computed from the fixture itself. */
    private static List<Long> nonBlankLineNumbers(List<Line> lines) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).text().isBlank()) out.add(i + 1L);
        }
        return out;
    }

    private Path write(String name, List<Line> lines) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream raw = Files.newOutputStream(file);
                OutputStream out = name.endsWith(".gz") ? new GZIPOutputStream(raw) : raw) {
            for (Line l : lines) {
                out.write(l.text().getBytes(StandardCharsets.UTF_8));
                out.write(l.ending().getBytes(StandardCharsets.UTF_8));
            }
        }
        return file;
    }

    private static FileSourceSplit split(Path file) throws IOException {
        long size = Files.size(file);
        return new FileSourceSplit(
                "split-0",
                new org.apache.flink.core.fs.Path(file.toUri()),
                0,
                size,
                Files.getLastModifiedTime(file).toMillis(),
                size);
    }

    private static List<RecordAndPosition<Ingested>> readAll(BulkFormat.Reader<Ingested> reader) throws IOException {
        List<RecordAndPosition<Ingested>> out = new ArrayList<>();
        try {
            BulkFormat.RecordIterator<Ingested> batch;
            while ((batch = reader.readBatch()) != null) {
                RecordAndPosition<Ingested> rp;
                while ((rp = batch.next()) != null) {
                    // The iterator reuses its RecordAndPosition: copy it.
                    out.add(new RecordAndPosition<>(rp.getRecord(), rp.getOffset(), rp.getRecordSkipCount()));
                }
                batch.releaseBatch();
            }
        } finally {
            reader.close();
        }
        return out;
    }

    private static long lineOf(Ingested in) {
        return in.isEvent() ? in.event().offset() : in.deadLetter().offset();
    }

    @ParameterizedTest
    @ValueSource(strings = {"events.jsonl", "events.jsonl.gz"})
    void oneRecordPerNonBlankLineWithPhysicalLineNumbers(String name) throws IOException {
        List<Line> lines = fixture();
        Path file = write(name, lines);
        JsonLinesFormat format = new JsonLinesFormat(PARSER);
        List<RecordAndPosition<Ingested>> records = readAll(format.createReader(new Configuration(), split(file)));

        assertThat(records)
                .extracting(rp -> lineOf(rp.getRecord()))
                .containsExactlyElementsOf(nonBlankLineNumbers(lines));
        String source = file.toUri().getPath();
        for (RecordAndPosition<Ingested> rp : records) {
            Ingested in = rp.getRecord();
            assertThat(in.isEvent() ? in.event().source() : in.deadLetter().source())
                    .isEqualTo(source);
            assertThat(in.isEvent() ? in.event().partition() : in.deadLetter().partition())
                    .isEqualTo(-1);
        }
        for (RecordAndPosition<Ingested> rp : records) {
            Ingested in = rp.getRecord();
            int line = (int) lineOf(in);
            String text = lines.get(line - 1).text();
            if (text.equals(OVERSIZE) || text.startsWith("{\"event\":\"big")) {
                DeadLetter d = in.deadLetter();
                assertThat(d).isNotNull();
                assertThat(d.reason())
                        .contains("record is " + text.length() + " bytes")
                        .contains("max_record_bytes " + MAX_RECORD_BYTES);
                assertThat(d.rawBytes()).isEqualTo(text.length());
                assertThat(d.raw()).isEqualTo(text.substring(0, RAW_BYTES));
            } else if (text.equals("{\"event\":")) {
                DeadLetter d = in.deadLetter();
                assertThat(d.reason()).startsWith("invalid JSON");
                assertThat(d.raw()).isEqualTo(text); // no trailing \r
                assertThat(d.rawBytes()).isEqualTo(text.length());
            } else {
                assertThat(in.isEvent()).as("line %d", line).isTrue();
                String expectedName = text.trim()
                        .substring("{\"event\":\"".length(), text.trim().indexOf("\",\"distinct_id"));
                assertThat(in.event().event()).isEqualTo(expectedName);
                assertThat(in.event().property(0)).isEqualTo(expectedName);
            }
        }
        assertThat(records).filteredOn(rp -> rp.getRecord().isEvent()).hasSize(5);
    }

    @Test
    void positionsCountEmittedRecordsAndRestoreSkipsExactlyThatMany() throws IOException {
        // Enough lines for several batches, with blank lines in between.
        List<Line> lines = new ArrayList<>();
        for (int i = 0; i < 1_300; i++) {
            lines.add(new Line(
                    i % 7 == 3 ? "" : (i % 11 == 5 ? "not json " + i : event("e" + i)), i % 5 == 0 ? "\r\n" : "\n"));
        }
        Path file = write("many.jsonl", lines);
        JsonLinesFormat format = new JsonLinesFormat(PARSER);
        List<RecordAndPosition<Ingested>> all = readAll(format.createReader(new Configuration(), split(file)));
        List<Long> expectedLines = nonBlankLineNumbers(lines);
        assertThat(all).extracting(rp -> lineOf(rp.getRecord())).containsExactlyElementsOf(expectedLines);
        for (int i = 0; i < all.size(); i++) {
            // After emitting record i (0-based), the reader's position says "skip i + 1 records".
            assertThat(all.get(i).getOffset()).isEqualTo(CheckpointedPosition.NO_OFFSET);
            assertThat(all.get(i).getRecordSkipCount()).isEqualTo(i + 1L);
        }

        for (int k : new int[] {0, 1, 2, 3, 511, 512, 513, 1000, all.size() - 1, all.size(), all.size() + 5}) {
            FileSourceSplit restored = split(file)
                    .updateWithCheckpointedPosition(new CheckpointedPosition(CheckpointedPosition.NO_OFFSET, k));
            List<RecordAndPosition<Ingested>> rest = readAll(format.restoreReader(new Configuration(), restored));
            List<Long> expected = expectedLines.subList(Math.min(k, expectedLines.size()), expectedLines.size());
            assertThat(rest)
                    .as("restored after %d records", k)
                    .extracting(rp -> lineOf(rp.getRecord()))
                    .containsExactlyElementsOf(expected);
            for (int i = 0; i < rest.size(); i++) {
                assertThat(rest.get(i).getRecordSkipCount()).isEqualTo(k + i + 1L);
            }
        }
    }

    @Test
    void restoreWorksOnTheFixtureAndOnCompressedFiles() throws IOException {
        for (String name : List.of("fixture.jsonl", "fixture.jsonl.gz")) {
            Path file = write(name, fixture());
            JsonLinesFormat format = new JsonLinesFormat(PARSER);
            List<Long> expectedLines = nonBlankLineNumbers(fixture());
            for (int k = 0; k <= expectedLines.size(); k++) {
                FileSourceSplit restored = split(file)
                        .updateWithCheckpointedPosition(new CheckpointedPosition(CheckpointedPosition.NO_OFFSET, k));
                List<RecordAndPosition<Ingested>> rest = readAll(format.restoreReader(new Configuration(), restored));
                assertThat(rest)
                        .as("%s after %d", name, k)
                        .extracting(rp -> lineOf(rp.getRecord()))
                        .containsExactlyElementsOf(expectedLines.subList(k, expectedLines.size()));
            }
            // Without a position, restore starts at the beginning.
            assertThat(readAll(format.restoreReader(new Configuration(), split(file))))
                    .hasSize(expectedLines.size());
        }
    }

    @Test
    void emptyAndBlankOnlyFilesHaveNoRecords() throws IOException {
        JsonLinesFormat format = new JsonLinesFormat(PARSER);
        Path empty = write("empty.jsonl", List.of());
        assertThat(readAll(format.createReader(new Configuration(), split(empty))))
                .isEmpty();
        Path blank = write("blank.jsonl", List.of(new Line("", "\n"), new Line("  ", "\r\n"), new Line("\t", "")));
        assertThat(readAll(format.createReader(new Configuration(), split(blank))))
                .isEmpty();
    }

    @Test
    void oversizeLineRawIsCutAtACharacterBoundary() throws IOException {
        // 3-byte characters: RAW_BYTES (64) falls in the middle of the 22nd one.
        String line = "{\"e\":\"" + "€".repeat(2_000) + "\"}";
        Path file = write("euro.jsonl", List.of(new Line(line, "\n")));
        DeadLetter d = readAll(new JsonLinesFormat(PARSER).createReader(new Configuration(), split(file)))
                .get(0)
                .getRecord()
                .deadLetter();
        assertThat(d.rawBytes()).isEqualTo(line.getBytes(StandardCharsets.UTF_8).length);
        assertThat(d.raw()).doesNotContain("\uFFFD");
        // The longest whole-character prefix of at most RAW_BYTES bytes: 6 ASCII bytes + 19 euros.
        assertThat(d.raw()).isEqualTo("{\"e\":\"" + "€".repeat((RAW_BYTES - 6) / 3));
    }

    @Test
    void formatIsNotSplittableAndProducesIngested() {
        JsonLinesFormat format = new JsonLinesFormat(PARSER);
        assertThat(format.isSplittable()).isFalse();
        assertThat(format.getProducedType().getTypeClass()).isEqualTo(Ingested.class);
    }

    // ------------------------------------------------------------------------------------------

    @Nested
    class LineReaderTest {

        private List<String> lines(InputStream in, int max) throws IOException {
            LineReader r = new LineReader(in, max);
            List<String> out = new ArrayList<>();
            long expectedNumber = 0;
            while (r.next()) {
                assertThat(r.lineNumber()).isEqualTo(++expectedNumber);
                assertThat(r.length()).isLessThanOrEqualTo(max + 1);
                out.add(
                        r.oversize()
                                ? "<oversize " + r.totalLength() + ">"
                                : new String(r.bytes(), 0, r.length(), StandardCharsets.UTF_8));
            }
            assertThat(r.next()).isFalse();
            return out;
        }

        private InputStream bytes(String s) {
            return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
        }

        @Test
        void splitsOnNewlinesAndStripsOneCarriageReturn() throws IOException {
            assertThat(lines(bytes("a\nb\r\n\n\r\nc\r\r\nlast"), 100)).containsExactly("a", "b", "", "", "c\r", "last");
            assertThat(lines(bytes(""), 100)).isEmpty();
            assertThat(lines(bytes("\n"), 100)).containsExactly("");
            assertThat(lines(bytes("x\n"), 100)).containsExactly("x");
        }

        @Test
        void lengthLimitIsInclusive() throws IOException {
            String max = "y".repeat(50);
            assertThat(lines(bytes(max + "\n" + max + "z\n" + max + "\r\n" + max + "z\r\n"), 50))
                    .containsExactly(max, "<oversize 51>", max, "<oversize 52>");
        }

        @Test
        void shortReadsAndLinesAcrossTheBufferGiveTheSameLines() throws IOException {
            StringBuilder sb = new StringBuilder();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String l = ("line" + i + "-").repeat(i * 997 % 20_000 / 7 + 1);
                expected.add(l.length() > 150_000 ? "<oversize " + l.length() + ">" : l);
                sb.append(l).append(i % 3 == 0 ? "\r\n" : "\n");
            }
            byte[] data = sb.toString().getBytes(StandardCharsets.UTF_8);
            assertThat(data.length).isGreaterThan(3 * 65_536);
            assertThat(lines(new ByteArrayInputStream(data), 150_000)).containsExactlyElementsOf(expected);
            // An input stream that returns at most 7 bytes per read.
            InputStream trickle = new ByteArrayInputStream(data) {
                @Override
                public synchronized int read(byte[] b, int off, int len) {
                    return super.read(b, off, Math.min(len, 7));
                }
            };
            assertThat(lines(trickle, 150_000)).containsExactlyElementsOf(expected);
        }

        @Test
        void aHugeLineIsCountedButNotHeldInMemory() throws IOException {
            long huge = 300L << 20; // 300 MiB, generated on the fly
            byte[] tail = "\n{\"after\":1}\n".getBytes(StandardCharsets.UTF_8);
            InputStream in = new InputStream() {
                long pos;

                @Override
                public int read() {
                    throw new UnsupportedOperationException();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    if (pos >= huge + tail.length) return -1;
                    int n = 0;
                    while (n < len && pos < huge + tail.length) {
                        b[off + n++] = pos < huge ? (byte) 'h' : tail[(int) (pos - huge)];
                        pos++;
                    }
                    return n;
                }
            };
            int max = 4096;
            LineReader r = new LineReader(in, max);
            assertThat(r.next()).isTrue();
            assertThat(r.oversize()).isTrue();
            assertThat(r.totalLength()).isEqualTo(huge);
            assertThat(r.length()).isEqualTo(max + 1);
            assertThat(r.bytes().length).isLessThanOrEqualTo(max + 1);
            assertThat(r.isBlank()).isFalse();
            assertThat(r.next()).isTrue();
            assertThat(new String(r.bytes(), 0, r.length(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"after\":1}");
            assertThat(r.lineNumber()).isEqualTo(2);
            assertThat(r.next()).isFalse();
        }
    }

    @Test
    void gzipFixtureIsReallyCompressed() throws IOException {
        Path gz = write("check.jsonl.gz", fixture());
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        for (Line l : fixture()) plain.write((l.text() + l.ending()).getBytes(StandardCharsets.UTF_8));
        assertThat(Files.size(gz)).isLessThan(plain.size() / 10);
    }
}
