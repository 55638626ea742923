package io.eventagg.cli;

import io.eventagg.config.ConfigException;
import io.eventagg.query.StickinessQuery;
import io.eventagg.query.StickinessResult;
import io.eventagg.time.Granularity;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code query stickiness}: users by number of active days, per week or month. */
@Command(
        name = "stickiness",
        mixinStandardHelpOptions = true,
        description = "How many users were active on 1, 2, … days of each week or month starting in a range.")
final class StickinessCommand implements Callable<Integer> {
    @Mixin
    QueryOptions query = new QueryOptions();

    @Option(names = "--period", defaultValue = "week", description = "week or month (default: ${DEFAULT-VALUE})")
    String period;

    @Override
    public Integer call() {
        Granularity g = Granularity.parse(period);
        if (g != Granularity.WEEK && g != Granularity.MONTH)
            throw new ConfigException("--period", "'" + period + "' is not one of week, month");
        StickinessQuery q = new StickinessQuery(g, query.from(), query.to(), query.environment);
        StickinessResult r = query.answer(null, s -> s.stickiness(q));
        int days = r.totalByDays().size();
        switch (query.format) {
            case json -> System.out.println(Json.write(r));
            case csv -> {
                StringBuilder h = new StringBuilder("period_start,active_users");
                for (int k = 1; k <= days; k++) h.append(",days_").append(k);
                System.out.println(h);
                for (StickinessResult.Period p : r.periods()) {
                    StringBuilder line = new StringBuilder(p.periodStart() + "," + p.activeUsers());
                    for (int k = 0; k < days; k++)
                        line.append(',')
                                .append(
                                        k < p.usersByDays().size()
                                                ? p.usersByDays().get(k)
                                                : 0);
                    System.out.println(line);
                }
            }
            default -> {
                StringBuilder h = new StringBuilder(String.format("%-22s %8s", r.period() + " (UTC)", "users"));
                for (int k = 1; k <= days; k++) h.append(String.format(" %6s", k + "d"));
                System.out.println(h);
                for (StickinessResult.Period p : r.periods()) {
                    StringBuilder line = new StringBuilder(
                            String.format("%-22s %,8d", p.periodStart() + (p.complete() ? "" : "*"), p.activeUsers()));
                    for (long n : p.usersByDays()) line.append(String.format(" %,6d", n));
                    System.out.println(line);
                }
                StringBuilder t = new StringBuilder(String.format("%-22s %8s", "all periods", ""));
                for (long n : r.totalByDays()) t.append(String.format(" %,6d", n));
                System.out.println(t);
                System.out.printf("average days active per user and %s: %.2f%n", r.period(), r.averageDaysActive());
                if (r.incomplete()) System.out.println("(* : period not over yet)");
            }
        }
        return 0;
    }
}
