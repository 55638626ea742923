package io.eventagg.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages' imports point one way: entry points ({@code cli}, {@code jobs}) → the HTTP read
 * path ({@code serve}) → services over the dataflow ({@code refresh}, {@code query}) → the dataflow ({@code pipeline}) and how jobs run
 * ({@code runtime}) → capabilities
 * ({@code timeseries}, {@code funnel}, {@code retention}, {@code stickiness}) → reading and writing ({@code ingest},
 * {@code sink}) → the job's configuration ({@code config}) → building blocks ({@code types},
 * {@code time}, {@code sketch}, {@code window}, {@code filter}, {@code generate}). A package imports
 * only packages of lower layers; within a layer only the pairs listed.
 */
class PackageLayersTest {
    private static final Map<String, Integer> LAYER = Map.ofEntries(
            Map.entry("types", 0),
            Map.entry("time", 0),
            Map.entry("sketch", 0),
            Map.entry("window", 0),
            Map.entry("filter", 0),
            Map.entry("generate", 0),
            Map.entry("config", 1),
            Map.entry("ingest", 2),
            Map.entry("sink", 2),
            Map.entry("timeseries", 3),
            Map.entry("funnel", 3),
            Map.entry("retention", 3),
            Map.entry("stickiness", 3),
            Map.entry("measure", 3),
            Map.entry("pipeline", 4),
            Map.entry("runtime", 4),
            Map.entry("refresh", 5),
            Map.entry("query", 5),
            Map.entry("serve", 6),
            Map.entry("cli", 7),
            Map.entry("jobs", 7));

    /** Same-layer imports that are allowed: a query reports refreshes in progress. */
    private static final Set<String> SAME_LAYER = Set.of("query -> refresh");

    private static final Pattern IMPORT =
            Pattern.compile("^import (?:static )?io\\.eventagg\\.([a-z]+)\\.", Pattern.MULTILINE);

    @Test
    void importsPointDownTheLayers() throws IOException {
        Path root = Path.of("src/main/java/io/eventagg");
        List<String> wrong = new ArrayList<>();
        Set<String> packages = new TreeSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = root.relativize(f).getName(0).toString();
                packages.add(pkg);
                Matcher m = IMPORT.matcher(Files.readString(f));
                while (m.find()) {
                    String to = m.group(1);
                    if (to.equals(pkg)) continue;
                    Integer from = LAYER.get(pkg), target = LAYER.get(to);
                    boolean ok = from != null
                            && target != null
                            && (target < from || (target.equals(from) && SAME_LAYER.contains(pkg + " -> " + to)));
                    if (!ok) wrong.add(root.relativize(f) + " imports " + to);
                }
            }
        }
        assertThat(LAYER.keySet()).as("every package has a layer").containsAll(packages);
        assertThat(wrong).as("imports against the layers").isEmpty();
    }
}
