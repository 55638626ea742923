package io.eventagg.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.generate.EventGenerator;
import io.eventagg.sink.SinkSettings;
import io.eventagg.testing.Pipelines;
import io.eventagg.testing.SharedCluster;
import io.eventagg.testing.Tiers;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (Debian's headless chromium through chromedriver): the numbers
 * the page shows for the trend, a funnel, a breakdown and the retention table equal the API's, after
 * switching funnel and breakdown too; the view is in the URL; a screenshot goes to
 * {@code target/dashboard.png}.
 */
@Tag(Tiers.SERVICES)
@ExtendWith(SharedCluster.class)
class DashboardBrowserTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String FROM = "2024-01-02", TO = "2024-01-30";

    @TempDir
    static Path dir;

    static ApiServer server;
    static WebDriver browser;

    @BeforeAll
    static void serveAndOpen() throws Exception {
        Path input = dir.resolve("events.jsonl");
        new EventGenerator(1500, 30, 8, Instant.parse("2024-01-01T00:00:00Z"), 0.01).write(input);
        JobDefinition job = JobLoader.load(Path.of("jobs/example.yaml"));
        assertThat(job.action("pricing_views")).as("the example has an action").isNotNull();
        String url = "jdbc:duckdb:" + dir.resolve("dash.duckdb");
        Pipelines.batchInto(job, List.of(input), SinkSettings.of(url));
        server = ApiServer.start(
                new ServeSettings(job, "127.0.0.1", 0, null, 2, Duration.ofMinutes(1)),
                SinkSettings.of(url),
                Clock.systemUTC());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1300");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver")))
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void close() {
        if (browser != null) browser.quit();
        if (server != null) server.close();
    }

    @Test
    void thePageShowsTheApisNumbers() throws Exception {
        String base = "http://127.0.0.1:" + server.port() + "/";
        browser.get(base + "?from=" + FROM + "&to=" + TO + "&granularity=day&funnel=pricing_to_purchase"
                + "&retention=weekly_signup_retention&mode=on");
        int loads = awaitLoad(0);

        JsonNode trend = api("/api/v1/timeseries", Map.of("from", FROM, "to", TO, "granularity", "day"));
        assertThat(text("trend-total")).isEqualTo(number(trend.path("total").asLong()));
        assertThat(text("trend-users"))
                .isEqualTo(number(trend.path("unique_users").asLong()));
        assertThat(text("trend-sessions"))
                .isEqualTo(number(trend.path("unique_sessions").asLong()));
        for (String[] active : new String[][] {{"dau", "2024-01-29"}, {"wau", "2024-01-23"}, {"mau", "2023-12-31"}}) {
            JsonNode r = api("/api/v1/timeseries", Map.of("from", active[1], "to", TO, "granularity", "day"));
            assertThat(text(active[0]))
                    .as(active[0])
                    .isEqualTo(number(r.path("unique_users").asLong()));
        }

        JsonNode rolling = api(
                "/api/v1/timeseries",
                Map.of("from", FROM, "to", TO, "granularity", "day", "active_windows", "7,28,30"));
        for (int i = 0; i < 3; i++) {
            String w = List.of("7d", "28d", "30d").get(i);
            List<Long> expected = new ArrayList<>();
            for (JsonNode p : rolling.path("series"))
                expected.add(p.path("active_users").path(w).asLong());
            assertThat(chartSeries("active-chart", i)).as(w).isEqualTo(expected);
        }
        assertThat(rolling.path("series")
                        .get(27)
                        .path("active_users")
                        .path("28d")
                        .asLong())
                .isGreaterThan(
                        rolling.path("series").get(27).path("unique_users").asLong());

        assertFunnel("pricing_to_purchase");
        assertRetention();
        assertStickiness();
        assertMeasure();

        new Select(browser.findElement(By.id("funnel-select"))).selectByValue("onboarding");
        loads = awaitLoad(loads);
        assertFunnel("onboarding");

        new Select(browser.findElement(By.id("breakdown"))).selectByValue("plan");
        loads = awaitLoad(loads);
        JsonNode byPlan =
                api("/api/v1/timeseries", Map.of("from", FROM, "to", TO, "granularity", "day", "breakdown", "plan"));
        JsonNode plans = byPlan.path("breakdown_totals").path("plan");
        JsonNode planUsers = byPlan.path("breakdown_unique_users_totals").path("plan");
        Map<String, String> expected = new LinkedHashMap<>();
        plans.fields()
                .forEachRemaining(f -> expected.put(
                        f.getKey(),
                        number(f.getValue().asLong()) + " "
                                + number(planUsers.path(f.getKey()).asLong())));
        assertThat(planUsers.path("free").asLong())
                .as("users of a value: fewer than its events, more than none")
                .isPositive()
                .isLessThan(plans.path("free").asLong());
        assertThat(expected).as("several plans in the sample").hasSizeGreaterThan(1);
        Map<String, String> shown = new LinkedHashMap<>();
        for (WebElement row : browser.findElements(By.cssSelector("#breakdown-table tbody tr"))) {
            List<WebElement> cells = row.findElements(By.tagName("td"));
            shown.put(
                    cells.get(0).getText(),
                    cells.get(1).getText() + " " + cells.get(2).getText());
        }
        assertThat(shown).isEqualTo(expected);
        assertThat(browser.getCurrentUrl()).contains("funnel=onboarding").contains("breakdown=plan");

        new Select(browser.findElement(By.id("timezone"))).selectByValue("America/New_York");
        loads = awaitLoad(loads);
        JsonNode newYork = api(
                "/api/v1/timeseries",
                Map.of("from", FROM, "to", TO, "granularity", "day", "timezone", "America/New_York"));
        assertThat(newYork.path("series").get(0).path("timestamp").asText()).isEqualTo("2024-01-02T05:00:00Z");
        assertThat(text("trend-total")).isEqualTo(number(newYork.path("total").asLong()));
        assertThat(((org.openqa.selenium.JavascriptExecutor) browser)
                        .executeScript("return echarts.getInstanceByDom(document.getElementById('trend-chart'))"
                                + ".getOption().xAxis[0].data[0]"))
                .as("the trend's first bucket is New York's midnight")
                .isEqualTo("2024-01-02T05:00:00Z");
        assertThat(browser.getCurrentUrl()).contains("timezone=America%2FNew_York");

        // An action, picked from the event list like an event.
        Select events = new Select(browser.findElement(By.id("events")));
        events.deselectAll();
        events.selectByValue("pricing_views");
        loads = awaitLoad(loads);
        JsonNode pricing = api(
                "/api/v1/timeseries",
                Map.of(
                        "from",
                        FROM,
                        "to",
                        TO,
                        "granularity",
                        "day",
                        "events",
                        "pricing_views",
                        "timezone",
                        "America/New_York"));
        assertThat(pricing.path("total").asLong()).isPositive();
        assertThat(text("trend-total")).isEqualTo(number(pricing.path("total").asLong()));
        assertThat(browser.getCurrentUrl()).contains("events=pricing_views");

        Path shot = Path.of("target/dashboard.png");
        Files.createDirectories(shot.getParent());
        Files.copy(
                ((org.openqa.selenium.TakesScreenshot) browser)
                        .getScreenshotAs(OutputType.FILE)
                        .toPath(),
                shot,
                StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(shot)).isGreaterThan(10_000);
    }

    private void assertFunnel(String name) throws Exception {
        JsonNode f = api("/api/v1/funnels/" + name, Map.of("from", FROM, "to", TO));
        List<String> expected = new ArrayList<>();
        for (JsonNode s : f.path("steps"))
            expected.add(number(s.path("users").asLong()) + " "
                    + percent(s.path("conversion_rate").asDouble()));
        List<String> shown = new ArrayList<>();
        for (WebElement row : browser.findElements(By.cssSelector("#funnel-table tbody tr"))) {
            List<WebElement> cells = row.findElements(By.tagName("td"));
            shown.add(cells.get(1).getText() + " " + cells.get(2).getText());
        }
        assertThat(shown).as(name).isEqualTo(expected);
        assertThat(expected.get(0)).as("people entered the funnel").doesNotStartWith("0 ");
        assertThat(browser.findElement(By.id("funnel-incomplete")).isDisplayed())
                .isEqualTo(f.path("incomplete").asBoolean());
    }

    private void assertRetention() throws Exception {
        JsonNode r = api("/api/v1/retention/weekly_signup_retention", Map.of("from", FROM, "to", TO, "mode", "on"));
        List<String> expected = new ArrayList<>();
        for (JsonNode c : r.path("cohorts")) {
            StringBuilder row = new StringBuilder(c.path("cohort_date").asText().substring(0, 10))
                    .append(' ')
                    .append(number(c.path("cohort_size").asLong()));
            for (JsonNode v : c.path("retention")) row.append(' ').append(v.isNull() ? "…" : percent(v.asDouble()));
            expected.add(row.toString());
        }
        List<String> shown = new ArrayList<>();
        for (WebElement tr : browser.findElements(By.cssSelector("#retention-table tbody tr"))) {
            List<String> cells = new ArrayList<>();
            for (WebElement td : tr.findElements(By.tagName("td"))) cells.add(td.getText());
            if (!cells.get(0).equals("overall")) shown.add(String.join(" ", cells));
        }
        assertThat(shown).isEqualTo(expected);
        assertThat(expected)
                .as("cohorts with a complete later period")
                .anyMatch(s -> s.split(" ").length > 3 && !s.split(" ")[3].equals("…"));
    }

    private void assertMeasure() throws Exception {
        JsonNode r = api("/api/v1/measures/revenue", Map.of("from", FROM, "to", TO, "granularity", "day"));
        assertThat(r.path("total").path("values").asLong())
                .as("purchases with an amount")
                .isPositive();
        assertThat(text("measure-sum"))
                .isEqualTo(String.format(
                        Locale.US, "%,.0f", r.path("total").path("sum").asDouble()));
        assertThat(text("measure-non-numeric"))
                .isEqualTo(number(r.path("total").path("non_numeric").asLong()));
        List<Long> sums = new ArrayList<>();
        for (JsonNode p : r.path("series"))
            sums.add(Math.round(p.path("stats").path("sum").asDouble()));
        assertThat(chartSeries("measure-chart", 0)).isEqualTo(sums);
    }

    private void assertStickiness() throws Exception {
        JsonNode r = api("/api/v1/stickiness", Map.of("from", FROM, "to", TO, "period", "week"));
        List<String> expected = new ArrayList<>();
        for (JsonNode p : r.path("periods")) {
            StringBuilder row = new StringBuilder(
                            p.path("period_start").asText().substring(0, 10))
                    .append(p.path("complete").asBoolean() ? "" : " …")
                    .append(' ')
                    .append(number(p.path("active_users").asLong()));
            for (JsonNode n : p.path("users_by_days")) row.append(' ').append(number(n.asLong()));
            expected.add(row.toString());
        }
        List<String> shown = new ArrayList<>();
        for (WebElement tr : browser.findElements(By.cssSelector("#stickiness-table tbody tr"))) {
            List<String> cells = new ArrayList<>();
            for (WebElement td : tr.findElements(By.tagName("td"))) cells.add(td.getText());
            shown.add(String.join(" ", cells));
        }
        assertThat(shown).isEqualTo(expected).hasSize(4);
        List<Long> totals = new ArrayList<>();
        for (JsonNode n : r.path("total_by_days")) totals.add(n.asLong());
        assertThat(chartSeries("stickiness-chart", 0)).isEqualTo(totals);
        assertThat(totals.get(0)).as("users active on one day of a week").isPositive();
    }

    /** Waits until the page has finished one more round of loading than {@code seen}. */
    private static int awaitLoad(int seen) {
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> {
            String v = d.findElement(By.tagName("body")).getDomAttribute("data-loaded");
            return v != null && Integer.parseInt(v) > seen;
        });
        return Integer.parseInt(browser.findElement(By.tagName("body")).getDomAttribute("data-loaded"));
    }

    /** The data of one line of a chart, as ECharts holds it in the page. */
    @SuppressWarnings("unchecked")
    private static List<Long> chartSeries(String id, int index) {
        List<Object> data = (List<Object>) ((org.openqa.selenium.JavascriptExecutor) browser)
                .executeScript(
                        "return echarts.getInstanceByDom(document.getElementById(arguments[0]))"
                                + ".getOption().series[arguments[1]].data",
                        id,
                        index);
        return data.stream().map(v -> ((Number) v).longValue()).toList();
    }

    private static String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private static String number(long n) {
        return String.format(Locale.US, "%,d", n);
    }

    private static String percent(double x) {
        return String.format(Locale.US, "%.1f%%", 100 * x);
    }

    private static JsonNode api(String path, Map<String, String> params) throws Exception {
        StringBuilder q = new StringBuilder();
        params.forEach((k, v) ->
                q.append(q.length() == 0 ? "?" : "&").append(k).append('=').append(v));
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path + q))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
