package io.eventagg.cli;

import io.eventagg.config.ConfigException;
import io.eventagg.query.MeasureQuery;
import io.eventagg.query.MeasureResult;
import io.eventagg.time.Granularity;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code query measure}: a numeric measure's sum, average, min, max and quantiles per bucket. */
@Command(
        name = "measure",
        mixinStandardHelpOptions = true,
        description = "A numeric measure (job-file measures) per bucket and over the range.")
final class MeasureCommand implements Callable<Integer> {
    @Mixin
    QueryOptions query = new QueryOptions();

    @Option(names = "--measure", required = true, description = "Measure name from the job file")
    String measure;

    @Option(names = "--granularity", required = true, description = "minute, hour, day, week or month")
    String granularity;

    @Override
    public Integer call() {
        Granularity g = Granularity.parse(granularity);
        if (g == null)
            throw new ConfigException(
                    "--granularity", "'" + granularity + "' is not one of minute, hour, day, week, month");
        MeasureQuery q = new MeasureQuery(measure, query.from(), query.to(), g, query.environment);
        MeasureResult r = query.answer(null, s -> s.measure(q));
        switch (query.format) {
            case json -> System.out.println(Json.write(r));
            case csv -> {
                System.out.println("timestamp,events,values,non_numeric,sum,average,min,max,p50,p90,p99");
                for (MeasureResult.Point p : r.series()) System.out.println(p.timestamp() + "," + csv(p.stats()));
                System.out.println("total," + csv(r.total()));
            }
            default -> {
                System.out.printf(
                        "%-24s %9s %9s %7s %14s %10s %10s %10s %10s %10s %10s%n",
                        "bucket (UTC)",
                        "events",
                        "values",
                        "non-num",
                        "sum",
                        "average",
                        "min",
                        "max",
                        "p50",
                        "p90",
                        "p99");
                for (MeasureResult.Point p : r.series())
                    System.out.println(line(p.timestamp().toString(), p.stats()));
                System.out.println(line("total", r.total()));
                System.out.println("(" + r.measure() + ": property '" + r.property() + "'; quantiles within 1 %)");
            }
        }
        return 0;
    }

    private static String line(String label, MeasureResult.Stats s) {
        return String.format(
                Locale.ROOT,
                "%-24s %,9d %,9d %,7d %,14.2f %10s %10s %10s %10s %10s %10s",
                label,
                s.events(),
                s.values(),
                s.nonNumeric(),
                s.sum(),
                num(s.average()),
                num(s.min()),
                num(s.max()),
                num(s.p50()),
                num(s.p90()),
                num(s.p99()));
    }

    private static String num(Double d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.2f", d);
    }

    private static String csv(MeasureResult.Stats s) {
        return s.events() + "," + s.values() + "," + s.nonNumeric() + "," + s.sum() + "," + opt(s.average()) + ","
                + opt(s.min()) + "," + opt(s.max()) + "," + opt(s.p50()) + "," + opt(s.p90()) + "," + opt(s.p99());
    }

    private static String opt(Double d) {
        return d == null ? "" : d.toString();
    }
}
