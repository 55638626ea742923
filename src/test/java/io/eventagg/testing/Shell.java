package io.eventagg.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs commands (make targets, scripts) for end-to-end tests: bounded by a timeout, output kept in files. */
public final class Shell {
    private Shell() {}

    /** What a command did. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public Result requireSuccess() {
            if (exitCode != 0) {
                throw new AssertionError("command failed (exit " + exitCode + "): " + String.join(" ", command)
                        + "\n--- stdout\n" + tail(stdout) + "\n--- stderr\n" + tail(stderr));
            }
            return this;
        }

        /** The last non-empty line of stdout. */
        public String lastLine() {
            String[] lines = stdout.strip().split("\n");
            return lines[lines.length - 1].strip();
        }

        private static String tail(String s) {
            return s.length() <= 6000 ? s : "…" + s.substring(s.length() - 6000);
        }
    }

    /** A step that may fail. */
    public interface Step {
        Object run() throws Exception;
    }

    /** Runs a step, adding what it throws to {@code problems}: for tear-downs that must try every step. */
    public static void attempt(List<Throwable> problems, Step step) {
        try {
            step.run();
        } catch (Throwable t) {
            problems.add(t);
        }
    }

    /**
     * Runs {@code command} in {@code dir} with extra environment variables; kills it (and its
     * children) after {@code timeout}, which then counts as a failure (exit 124). stdout and stderr
     * go to {@code logDir/<name>.out|.err} and are returned.
     */
    public static Result run(
            Path dir, Map<String, String> env, Duration timeout, Path logDir, String name, List<String> command)
            throws IOException, InterruptedException {
        Files.createDirectories(logDir);
        Path out = logDir.resolve(name + ".out");
        Path err = logDir.resolve(name + ".err");
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        int code;
        if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            code = p.exitValue();
        } else {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            code = 124;
            Files.writeString(
                    err,
                    "\n[killed after " + timeout.toSeconds() + " s]\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
        }
        return new Result(
                command,
                code,
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
