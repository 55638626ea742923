package io.eventagg.cli;

import io.eventagg.query.FunnelQuery;
import io.eventagg.query.FunnelResult;
import io.eventagg.query.FunnelStepResult;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code query funnel}: the spec's FunnelResult. */
@Command(
        name = "funnel",
        mixinStandardHelpOptions = true,
        description = "Users per step, conversion and times to convert for the entry days in a range.")
final class FunnelCommand implements Callable<Integer> {
    @Mixin
    QueryOptions query = new QueryOptions();

    @Option(names = "--funnel", required = true, description = "Funnel name from the job file")
    String funnel;

    @Override
    public Integer call() {
        FunnelQuery q = new FunnelQuery(funnel, query.from(), query.to(), query.environment);
        FunnelResult r = query.answer(null, s -> s.funnel(q));
        switch (query.format) {
            case json -> System.out.println(Json.write(r));
            case csv -> {
                System.out.println("step,name,users,conversion_rate,drop_off_rate,avg_time_from_previous_seconds,"
                        + "median_time_from_previous_seconds,p90_time_from_previous_seconds");
                int i = 1;
                for (FunnelStepResult s : r.steps()) {
                    System.out.printf(
                            "%d,%s,%d,%.6f,%.6f,%s,%s,%s%n",
                            i++,
                            csv(s.name()),
                            s.users(),
                            s.conversionRate(),
                            s.dropOffRate(),
                            num(s.avgTimeFromPreviousSeconds()),
                            num(s.medianTimeFromPreviousSeconds()),
                            num(s.p90TimeFromPreviousSeconds()));
                }
            }
            default -> {
                System.out.printf(
                        "%-4s %-28s %10s %11s %10s %14s %14s%n",
                        "step", "name", "users", "conversion", "drop-off", "avg from prev", "median");
                int i = 1;
                for (FunnelStepResult s : r.steps()) {
                    System.out.printf(
                            "%-4d %-28s %,10d %10.1f%% %9.1f%% %14s %14s%n",
                            i++,
                            s.name(),
                            s.users(),
                            100 * s.conversionRate(),
                            100 * s.dropOffRate(),
                            duration(s.avgTimeFromPreviousSeconds()),
                            duration(s.medianTimeFromPreviousSeconds()));
                }
                System.out.printf(
                        "overall conversion %.1f%%, time to convert: avg %s, median %s, p90 %s%s%n",
                        100 * r.overallConversionRate(),
                        duration(r.avgTimeToConvertSeconds()),
                        duration(r.medianTimeToConvertSeconds()),
                        duration(r.p90TimeToConvertSeconds()),
                        r.incomplete() ? "  (incomplete: conversion windows still open)" : "");
            }
        }
        return 0;
    }

    private static String num(Double d) {
        return d == null ? "" : String.format("%.3f", d);
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    static String duration(Double seconds) {
        if (seconds == null) return "-";
        double s = seconds;
        if (s < 120) return String.format("%.0fs", s);
        if (s < 7200) return String.format("%.1fm", s / 60);
        if (s < 172_800) return String.format("%.1fh", s / 3600);
        return String.format("%.1fd", s / 86_400);
    }
}
