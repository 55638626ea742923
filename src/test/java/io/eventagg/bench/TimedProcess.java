package io.eventagg.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A measured process as a user starts one: the wall time from spawn to exit (start-up included) and
 * the CPU seconds (user + system) of the process and everything it waited for, from the kernel's
 * accounting: through {@code /usr/bin/time} when it is installed (which also gives the peak RSS),
 * else through bash's {@code times} (its second line: the children's user and system time).
 */
final class TimedProcess {
    private static final Path GNU_TIME = Path.of("/usr/bin/time");
    private static final Pattern TIMES = Pattern.compile("(\\d+)m([\\d.]+)s\\s+(\\d+)m([\\d.]+)s");

    /** What it did: exit status, wall and CPU seconds, peak RSS (-1 unknown), and its output lines. */
    record Result(int exit, double wallSeconds, double cpuSeconds, long peakRssBytes, List<String> output) {
        void putInto(Map<String, Object> m) {
            m.put("exit", exit);
            m.put("process_seconds", wallSeconds);
            m.put("process_cpu_seconds", cpuSeconds);
            if (peakRssBytes > 0) m.put("peak_rss_bytes", peakRssBytes);
        }
    }

    private TimedProcess() {}

    /**
     * Runs {@code command} in {@code dir} with extra environment {@code env}, its output (stdout and
     * stderr together) echoed indented to {@code log} and kept; waits at most {@code timeout}.
     */
    static Result run(List<String> command, Path dir, Map<String, String> env, PrintStream log, long timeoutMinutes)
            throws IOException, InterruptedException {
        return run(command, dir, env, log, timeoutMinutes, Files.isExecutable(GNU_TIME));
    }

    /** {@link #run} through {@code /usr/bin/time} ({@code gnu}) or bash's {@code times}. */
    static Result run(
            List<String> command, Path dir, Map<String, String> env, PrintStream log, long timeoutMinutes, boolean gnu)
            throws IOException, InterruptedException {
        Path timesFile = Files.createTempFile("bench-times", ".txt");
        try {
            List<String> cmd = new ArrayList<>();
            if (gnu) {
                cmd.addAll(List.of(GNU_TIME.toString(), "-o", timesFile.toString(), "-f", "%e %U %S %M"));
                cmd.addAll(command);
            } else {
                cmd.addAll(List.of(
                        "bash",
                        "-c",
                        "\"$@\"; rc=$?; times > " + quote(timesFile.toString()) + "; exit $rc",
                        "bench-times"));
                cmd.addAll(command);
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            if (dir != null) pb.directory(dir.toFile());
            pb.environment().putAll(env);
            List<String> out = new ArrayList<>();
            long t0 = System.nanoTime();
            Process p = pb.start();
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    out.add(line);
                    log.println("    " + line);
                }
            }
            if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("timed out after " + timeoutMinutes + " min: " + command);
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            String times = Files.readString(timesFile).trim();
            double cpu = -1;
            long rss = -1;
            if (gnu) {
                // GNU time may put a "Command exited with non-zero status" line first.
                String[] lines = times.split("\n");
                String[] f = lines[lines.length - 1].trim().split("\\s+");
                if (f.length == 4) {
                    cpu = Double.parseDouble(f[1]) + Double.parseDouble(f[2]);
                    rss = Long.parseLong(f[3]) * 1024;
                }
            } else {
                String[] lines = times.split("\n");
                Matcher m = lines.length < 2 ? null : TIMES.matcher(lines[1]);
                if (m != null && m.find()) {
                    cpu = Long.parseLong(m.group(1)) * 60
                            + Double.parseDouble(m.group(2))
                            + Long.parseLong(m.group(3)) * 60
                            + Double.parseDouble(m.group(4));
                }
            }
            return new Result(p.exitValue(), wall, cpu, rss, out);
        } finally {
            Files.deleteIfExists(timesFile);
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** The number after {@code label} on the last line of {@code lines} that starts with it (digit grouping dropped). */
    static long counter(List<String> lines, String label) {
        Pattern p = Pattern.compile("^\\s*" + Pattern.quote(label) + "\\s+([0-9][0-9,.' \\u00a0\\u202f]*)");
        long v = -1;
        for (String l : lines) {
            Matcher m = p.matcher(l);
            if (m.find()) v = Long.parseLong(m.group(1).replaceAll("[^0-9]", ""));
        }
        return v;
    }
}
