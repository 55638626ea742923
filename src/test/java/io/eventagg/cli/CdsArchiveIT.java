package io.eventagg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.generate.EventGenerator;
import io.eventagg.testing.ClickHouseServer;
import io.eventagg.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up archive {@code make build} trains ({@code scripts/cds-archive.sh}): built from the
 * packaged CLI jar, it must map ({@code -Xshare:on} fails the JVM otherwise) and serve most of the
 * classes a user's run loads, eventagg's and Flink's among them, on input it was not trained on.
 */
class CdsArchiveIT {
    @TempDir
    Path dir;

    @Test
    void aRunLoadsMostOfItsClassesFromTheArchive() throws Exception {
        Path root = ClickHouseServer.projectRoot();
        assertThat(root.resolve("target/eventagg-cli.jar"))
                .as("the CLI jar (the package phase builds it before the integration tests)")
                .exists();
        Shell.run(
                        root,
                        Map.of(),
                        Duration.ofMinutes(3),
                        dir.resolve("logs"),
                        "cds-archive",
                        List.of("bash", "scripts/cds-archive.sh"))
                .requireSuccess();
        Path archive = root.resolve("target/eventagg-cli.jsa");
        assertThat(archive).exists();

        Path input = dir.resolve("events.jsonl");
        new EventGenerator(500, 5, 11, Instant.parse("2024-05-06T00:00:00Z"), 0.01).write(input);
        Path classLog = dir.resolve("classes.log");
        Shell.run(
                        root,
                        Map.of(),
                        Duration.ofMinutes(3),
                        dir.resolve("logs"),
                        "run",
                        List.of(
                                "java",
                                "-Xshare:on",
                                "-XX:SharedArchiveFile=" + archive,
                                "-Xlog:class+load=info:file=" + classLog,
                                "-jar",
                                "target/eventagg-cli.jar",
                                "run",
                                "--job",
                                "jobs/example.yaml",
                                "--input",
                                input.toString(),
                                "--sink",
                                "jdbc:duckdb:" + dir.resolve("out.duckdb")))
                .requireSuccess();

        List<String> loads = Files.readAllLines(classLog).stream()
                .filter(l -> l.contains(" source: "))
                .toList();
        long shared = loads.stream()
                .filter(l -> l.contains("source: shared objects file"))
                .count();
        assertThat(loads).hasSizeGreaterThan(3000);
        assertThat((double) shared / loads.size())
                .as("share of the %d classes loaded that came from the archive", loads.size())
                .isGreaterThan(0.8);
        for (String cls : List.of(
                "io.eventagg.pipeline.EventaggPipeline",
                "io.eventagg.timeseries.SeriesCombiner",
                "org.apache.flink.runtime.minicluster.MiniCluster",
                "org.duckdb.DuckDBConnection")) {
            assertThat(loads)
                    .as(cls + " served by the archive")
                    .anyMatch(l -> l.contains(" " + cls + " source: shared objects file (top)"));
        }
    }
}
