package io.eventagg.serve;

import io.eventagg.config.ConfigException;
import io.eventagg.query.JdbcAggregationStorage;
import io.eventagg.query.QueryException;
import io.eventagg.query.ResultJson;
import io.eventagg.sink.SinkSettings;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code eventagg serve}: the JSON API ({@code /api/v1/...}, described by {@code
 * /api/v1/openapi.json}) and the dashboard ({@code /}), on Javalin (Jetty). Every answer is the
 * query layer's, in the same JSON as {@code query ... --format json}.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    static final String OPENAPI = "eventagg/openapi.json";
    static final String WEB = "/eventagg/web";

    private final Javalin app;
    private final StoragePool pool;

    private ApiServer(Javalin app, StoragePool pool) {
        this.app = app;
        this.pool = pool;
    }

    /**
     * @param clock what the job's horizons are measured from (the wall clock but for replays)
     */
    public static ApiServer start(ServeSettings settings, SinkSettings sink, Clock clock) {
        StoragePool pool = new StoragePool(
                settings.connections(), () -> new JdbcAggregationStorage(settings.job(), sink, null, clock));
        Api api = new Api(settings.job(), pool, settings.cacheTtl());
        byte[] openApi = resource(OPENAPI);
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jetty.host = settings.bind();
            config.jetty.port = settings.port();
            config.staticFiles.add(WEB, Location.CLASSPATH);
            config.staticFiles.enableWebjars();
            config.routes.before("/api/*", ctx -> {
                ctx.header("X-Content-Type-Options", "nosniff");
                if (settings.token() != null && !settings.token().accepts(ctx.header("Authorization"))) {
                    ctx.header("WWW-Authenticate", "Bearer");
                    throw new Unauthorized();
                }
            });
            config.routes.get("/api/v1/health", ctx -> json(ctx, Map.of("status", "ok")));
            config.routes.get(
                    "/api/v1/openapi.json",
                    ctx -> ctx.contentType("application/json").result(openApi));
            config.routes.get("/api/v1/catalog", ctx -> json(ctx, api.catalog()));
            config.routes.get("/api/v1/timeseries", ctx -> json(ctx, api.timeSeries(ctx.queryParamMap())));
            config.routes.get(
                    "/api/v1/funnels/{name}", ctx -> json(ctx, api.funnel(ctx.pathParam("name"), ctx.queryParamMap())));
            config.routes.get(
                    "/api/v1/retention/{name}",
                    ctx -> json(ctx, api.retention(ctx.pathParam("name"), ctx.queryParamMap())));
            config.routes.get("/api/v1/stickiness", ctx -> json(ctx, api.stickiness(ctx.queryParamMap())));
            config.routes.get(
                    "/api/v1/measures/{name}",
                    ctx -> json(ctx, api.measure(ctx.pathParam("name"), ctx.queryParamMap())));
            config.routes.exception(
                    Unauthorized.class,
                    (e, ctx) -> error(
                            ctx,
                            new ApiError(
                                    401,
                                    "a bearer token is required (Authorization: Bearer ...)",
                                    null,
                                    "unauthorized")));
            config.routes.exception(QueryException.class, (e, ctx) -> error(ctx, ApiError.of(e)));
            config.routes.exception(ConfigException.class, (e, ctx) -> error(ctx, ApiError.of(e)));
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                error(ctx, new ApiError(500, "internal error (see the server's log)", null, "internal"));
            });
        });
        try {
            app.start();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new ApiServer(app, pool);
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
        pool.close();
    }

    private static void json(Context ctx, Object value) {
        ctx.contentType("application/json").result(ResultJson.write(value));
    }

    private static void error(Context ctx, ApiError e) {
        ctx.status(e.status()).contentType("application/json").result(ResultJson.write(e));
    }

    static byte[] resource(String name) {
        try (InputStream in = ApiServer.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A request without the bearer token. */
    private static final class Unauthorized extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unauthorized() {
            super(null, null, false, false);
        }
    }
}
