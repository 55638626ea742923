package io.eventagg.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The comparison rows' machinery: interleaved rounds, the median, a measured process's accounting. */
class BenchComparisonsTest {
    /** The comparison rows' rounds run interleaved, and each row keeps its median run with the range. */
    @Test
    void interleavedRoundsAndMedian() throws Exception {
        Bench bench = new Bench(
                new String[] {"--repeat", "3"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        List<String> order = new ArrayList<>();
        double[] a = {5, 9, 7};
        double[] b = {2, 1, 3};
        int[] i = {0, 0};
        bench.interleaved(List.of(
                new Bench.Comparison("a", () -> {
                    order.add("a");
                    return new HashMap<>(Map.of("process_seconds", a[i[0]++], "process_cpu_seconds", 1.0));
                }),
                new Bench.Comparison("b", () -> {
                    order.add("b");
                    return new HashMap<>(Map.of("process_seconds", b[i[1]++], "process_cpu_seconds", 2.0));
                })));
        assertThat(order).containsExactly("a", "b", "a", "b", "a", "b");
        Map<String, Object> ra = bench.results.get("a");
        assertThat(ra.get("process_seconds")).isEqualTo(7.0);
        assertThat(ra.get("min_process_seconds")).isEqualTo(5.0);
        assertThat(ra.get("max_process_seconds")).isEqualTo(9.0);
        assertThat(ra.get("all_process_seconds")).isEqualTo(List.of(5.0, 9.0, 7.0));
        assertThat((List<?>) ra.get("all_load_before")).hasSize(3);
        assertThat(bench.results.get("b").get("process_seconds")).isEqualTo(2.0);
        assertThat(ra.get("repeats")).isEqualTo(3);
    }

    /** A process's exit status, output and counters; CPU seconds from the kernel's accounting. */
    @Test
    void timedProcessReportsExitOutputAndCpu() throws Exception {
        for (boolean gnu : java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/time"))
                ? List.of(true, false)
                : List.of(false)) timedProcess(gnu);
    }

    private static void timedProcess(boolean gnu) throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        TimedProcess.Result ok = TimedProcess.run(
                List.of(
                        "bash",
                        "-c",
                        "echo '  rows written          12,345'; x=0; for i in $(seq 200000); do x=$((x+i)); done"),
                null,
                Map.of(),
                quiet,
                1,
                gnu);
        assertThat(ok.exit()).as("gnu time: " + gnu).isZero();
        assertThat(TimedProcess.counter(ok.output(), "rows written")).isEqualTo(12_345);
        assertThat(TimedProcess.counter(ok.output(), "records read")).isEqualTo(-1);
        assertThat(ok.cpuSeconds()).as("the loop's CPU, gnu time: " + gnu).isPositive();
        if (gnu) assertThat(ok.peakRssBytes()).isPositive();
        assertThat(ok.wallSeconds()).isGreaterThanOrEqualTo(ok.cpuSeconds() * 0.5);
        TimedProcess.Result failed = TimedProcess.run(List.of("bash", "-c", "exit 3"), null, Map.of(), quiet, 1, gnu);
        assertThat(failed.exit()).isEqualTo(3);
    }
}
