package io.eventagg.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batching: each database's default unless a profile sets it; the default follows the URL that
 * is finally used, also when {@code --sink} names another database than the profile.
 */
class SinkOptionsTest {
    private static final String CLICKHOUSE = "jdbc:clickhouse://127.0.0.1:1/default";

    @TempDir
    Path dir;

    private SinkSettings resolve(String url, String profileYaml) throws Exception {
        SinkOptions o = new SinkOptions();
        o.url = url;
        if (profileYaml != null) {
            o.profile = dir.resolve("profile-" + System.nanoTime() + ".yaml");
            Files.writeString(o.profile, profileYaml);
        }
        return o.resolve();
    }

    @Test
    void eachDialectHasItsOwnDefault() {
        assertThat(SinkSettings.of("jdbc:duckdb:x.duckdb").batchSize())
                .isEqualTo(DuckDbDialect.DEFAULT_BATCH_SIZE)
                .isEqualTo(100_000);
        assertThat(SinkSettings.of(CLICKHOUSE).batchSize())
                .isEqualTo(SqlDialect.DEFAULT_BATCH_SIZE)
                .isEqualTo(5000);
        assertThat(SinkSettings.of("jdbc:duckdb:x.duckdb").withBatch(700, 50).batchSize())
                .isEqualTo(700);
        assertThat(SinkSettings.of("jdbc:nothing:x").batchSize())
                .as("an unsupported URL fails later, when used")
                .isEqualTo(5000);
    }

    @Test
    void withoutAProfileTheUrlDecides() throws Exception {
        assertThat(resolve(null, null).batchSize()).isEqualTo(100_000);
        assertThat(resolve(null, null).batchIntervalMs()).isEqualTo(1000);
        assertThat(resolve(CLICKHOUSE, null).batchSize()).isEqualTo(5000);
    }

    @Test
    void aProfilesBatchSizeOverridesAndAnUnsetOneIsTheFinalUrlsDefault() throws Exception {
        assertThat(resolve(null, "url: jdbc:duckdb:" + dir.resolve("a.duckdb") + "\nbatch_size: 2000\n")
                        .batchSize())
                .isEqualTo(2000);
        SinkSettings clickHouse = resolve(null, "url: " + CLICKHOUSE + "\nbatch_interval: 3s\n");
        assertThat(clickHouse.batchSize())
                .as("ClickHouse keeps its default, not DuckDB's")
                .isEqualTo(5000);
        assertThat(clickHouse.batchIntervalMs()).isEqualTo(3000);
        SinkSettings duckOverClickHouse =
                resolve("jdbc:duckdb:" + dir.resolve("b.duckdb"), "url: " + CLICKHOUSE + "\n");
        assertThat(duckOverClickHouse.batchSize()).isEqualTo(100_000);
        SinkSettings explicit = resolve(
                CLICKHOUSE, "url: jdbc:duckdb:" + dir.resolve("c.duckdb") + "\nbatch_size: 3000\nmax_retries: 1\n");
        assertThat(explicit.batchSize()).isEqualTo(3000);
        assertThat(explicit.maxRetries()).isEqualTo(1);
        assertThat(explicit.url()).isEqualTo(CLICKHOUSE);
    }

    @Test
    void theShippedProfiles() throws Exception {
        SinkOptions duck = new SinkOptions();
        duck.profile = Path.of("conf/profiles/local-duckdb.yaml");
        assertThat(duck.resolve().batchSize()).isEqualTo(100_000);
        SinkOptions clickHouse = new SinkOptions();
        clickHouse.profile = Path.of("conf/profiles/local-clickhouse.yaml");
        assertThat(clickHouse.resolve().batchSize()).isEqualTo(20_000);
    }
}
