package io.eventagg.ingest;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads newline-separated records as bytes without decoding them, keeping at most {@code maxBytes}
 * of a line in memory: a longer line is reported with its full length and only its head, so a
 * hostile multi-gigabyte line cannot exhaust memory. {@code \r\n} endings are accepted.
 */
final class LineReader {
    private final InputStream in;
    private final int maxBytes;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private boolean eof;

    private byte[] line = new byte[1024];
    private int lineLength;
    private long lineTotal;
    private long lineNumber;

    LineReader(InputStream in, int maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /** Advances to the next line; false at end of input. */
    boolean next() throws IOException {
        lineLength = 0;
        lineTotal = 0;
        boolean any = false;
        while (true) {
            if (pos >= limit) {
                if (eof || !fill()) {
                    if (!any) return false;
                    break;
                }
            }
            any = true;
            int start = pos;
            int nl = -1;
            for (int i = pos; i < limit; i++) {
                if (buf[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            int end = nl < 0 ? limit : nl;
            append(start, end - start);
            pos = nl < 0 ? limit : nl + 1;
            if (nl >= 0) break;
        }
        lineNumber++;
        if (lineTotal > 0 && lineLength > 0 && lineTotal == lineLength && line[lineLength - 1] == '\r') {
            lineLength--;
            lineTotal--;
        }
        return true;
    }

    private void append(int from, int count) {
        lineTotal += count;
        int room = maxBytes + 1 - lineLength;
        int take = Math.min(room, count);
        if (take <= 0) return;
        if (lineLength + take > line.length) {
            byte[] bigger = new byte[Math.min(maxBytes + 1, Math.max(line.length * 2, lineLength + take))];
            System.arraycopy(line, 0, bigger, 0, lineLength);
            line = bigger;
        }
        System.arraycopy(buf, from, line, lineLength, take);
        lineLength += take;
    }

    private boolean fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            eof = true;
            pos = limit = 0;
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    byte[] bytes() {
        return line;
    }

    /** Bytes of the current line held in {@link #bytes()} (at most maxBytes + 1). */
    int length() {
        return lineLength;
    }

    /** The full length of the current line, which may exceed what is held. */
    long totalLength() {
        return lineTotal;
    }

    boolean oversize() {
        return lineTotal > maxBytes;
    }

    /** 1-based number of the current line. */
    long lineNumber() {
        return lineNumber;
    }

    boolean isBlank() {
        if (oversize()) return false;
        for (int i = 0; i < lineLength; i++) {
            byte b = line[i];
            if (b != ' ' && b != '\t' && b != '\r') return false;
        }
        return true;
    }

    void close() throws IOException {
        in.close();
    }
}
