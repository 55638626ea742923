package io.eventagg.cli;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.serve.AccessToken;
import io.eventagg.serve.ApiServer;
import io.eventagg.serve.ServeSettings;
import io.eventagg.sink.SinkOptions;
import io.eventagg.sink.SinkSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code serve}: the HTTP API and the dashboard over a job's tables, until stopped. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Serve the JSON API (/api/v1/, described at /api/v1/openapi.json) and the dashboard (/) over a"
                + " job's tables, until stopped (Ctrl-C).")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--job", required = true, paramLabel = "FILE", description = "Job definition (jobs/*.yaml)")
    Path jobFile;

    @Mixin
    SinkOptions sink;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0: any free one)")
    int port;

    @Option(
            names = "--bind",
            defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}); any other than this machine's loopback"
                    + " needs a bearer token")
    String bind;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            description = "File holding the bearer token every API request must carry (default: the environment"
                    + " variable " + AccessToken.ENV + "; none: loopback only)")
    Path tokenFile;

    @Option(
            names = "--connections",
            defaultValue = "4",
            description = "Database connections answering at once (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(
            names = "--cache-seconds",
            defaultValue = "60",
            description =
                    "How long an answer that can no longer change is served from memory (default: ${DEFAULT-VALUE})")
    int cacheSeconds;

    @Mixin
    NowOption now = new NowOption();

    @Override
    public Integer call() throws Exception {
        JobDefinition job = JobLoader.load(jobFile);
        SinkSettings settings = sink.resolve();
        AccessToken token = AccessToken.resolve(tokenFile, System.getenv(AccessToken.ENV));
        Instant fixed = now.resolve(job.timezone());
        Clock clock = fixed == null ? Clock.systemUTC() : Clock.fixed(fixed, ZoneOffset.UTC);
        ServeSettings s =
                new ServeSettings(job, bind, port, token, connections, Duration.ofSeconds(Math.max(0, cacheSeconds)));
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        try (ApiServer server = ApiServer.start(s, settings, clock)) {
            String base = "http://" + (bind.contains(":") ? "[" + bind + "]" : bind) + ":" + server.port();
            System.out.printf(
                    "eventagg serve: job '%s' from %s%n  dashboard  %s/%n  API        %s/api/v1/ (%s/api/v1/openapi.json)%s%n",
                    job.name(),
                    SinkOptions.describe(settings),
                    base,
                    base,
                    base,
                    token == null ? "" : "\n  every API request needs its bearer token");
            // Ctrl-C: let the server close (requests in flight, database connections) before the JVM ends.
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                stopped.countDown();
                                try {
                                    closed.await(10, TimeUnit.SECONDS);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            },
                            "eventagg-serve-stop"));
            stopped.await();
        } finally {
            closed.countDown();
        }
        return 0;
    }
}
