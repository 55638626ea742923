package io.eventagg.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.config.Redact;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Secrets masked in text; ClickHouse URL parsing and TabSeparated formatting (no server needed). */
class RedactAndFormatTest {
    @Test
    void passwordsInUrlsAreMasked() {
        assertThat(Redact.url("jdbc:clickhouse://bob:s3cret@host:8123/db?ssl=true&password=s3cret&x=1"))
                .isEqualTo("jdbc:clickhouse://bob:****@host:8123/db?ssl=true&password=****&x=1");
        assertThat(Redact.url("jdbc:clickhouse://host:8123/db?PWD=a;b"))
                .isEqualTo("jdbc:clickhouse://host:8123/db?PWD=****;b");
        assertThat(Redact.url("jdbc:duckdb:data/eventagg.duckdb")).isEqualTo("jdbc:duckdb:data/eventagg.duckdb");
    }

    @Test
    void secretLookingPropertiesAreMasked() {
        assertThat(Redact.properties(Map.of(
                        "sasl.jaas.config",
                        "... password=\"x\";",
                        "ssl.key.password",
                        "x",
                        "ssl.truststore.password",
                        "x",
                        "security.protocol",
                        "SASL_SSL",
                        "password",
                        "x",
                        "compress",
                        "false")))
                .containsEntry("sasl.jaas.config", "****")
                .containsEntry("ssl.key.password", "****")
                .containsEntry("ssl.truststore.password", "****")
                .containsEntry("password", "****")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("compress", "false");
        assertThat(Redact.text("failed for user bob with pass hunter22", "hunter22"))
                .isEqualTo("failed for user bob with pass ****");
    }

    @Test
    void databaseOfAClickHouseUrl() {
        assertThat(ClickHouseDialect.databaseOf("jdbc:clickhouse://h:8123/analytics?compress=false"))
                .isEqualTo("analytics");
        assertThat(ClickHouseDialect.databaseOf("jdbc:clickhouse:http://h:8123/analytics"))
                .isEqualTo("analytics");
        assertThat(ClickHouseDialect.databaseOf("jdbc:ch://h:8123")).isNull();
        assertThat(ClickHouseDialect.databaseOf("jdbc:clickhouse://h:8123/?ssl=true"))
                .isNull();
    }

    @Test
    void tabSeparatedLines() {
        TableSpec t = Tables.FUNNELS;
        Object[] row = {
            "j\tob",
            "f\\n",
            "production",
            1704067200999L,
            2,
            "line\nbreak\r",
            5L,
            null,
            4L,
            1.5e-7,
            null,
            3L,
            Double.POSITIVE_INFINITY,
            "kll",
            true,
            9L
        };
        StringBuilder b = new StringBuilder();
        ClickHouseTableWriter.tsvLine(b, t, row);
        assertThat(b.toString())
                .isEqualTo(
                        "j\\tob\tf\\\\n\tproduction\t2024-01-01 00:00:00\t2\tline\\nbreak\\r\t5\t\\N\t4\t1.5E-7\t\\N\t3\tinf\tkll\t1\t9\n");
    }

    @Test
    void sinkSettingsNeverPrintThePassword() {
        SinkSettings s = SinkSettings.of("jdbc:clickhouse://u:pw1234@h/db")
                .withCredentials("u", Secret.of("pw1234"))
                .withProperties(Map.of("password", "pw1234", "compress", "false"));
        assertThat(s.toString()).doesNotContain("pw1234").contains("compress=false");
    }
}
