package io.eventagg.cli;

import io.eventagg.query.CohortRetention;
import io.eventagg.query.RetentionQuery;
import io.eventagg.query.RetentionResult;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code query retention}: the spec's RetentionResult. */
@Command(
        name = "retention",
        mixinStandardHelpOptions = true,
        description = "Retention per cohort and overall, for cohorts starting in a range.")
final class RetentionCommand implements Callable<Integer> {
    enum Mode {
        on,
        on_or_after
    }

    @Mixin
    QueryOptions query = new QueryOptions();

    @Option(names = "--retention", required = true, description = "Retention name from the job file")
    String retention;

    @Option(
            names = "--mode",
            defaultValue = "on",
            description = "on: returned in period k, or on_or_after: in period k or later (default: ${DEFAULT-VALUE})")
    Mode mode;

    @Override
    public Integer call() {
        RetentionQuery q =
                new RetentionQuery(retention, query.from(), query.to(), mode == Mode.on_or_after, query.environment);
        RetentionResult r = query.answer(null, s -> s.retention(q));
        switch (query.format) {
            case json -> System.out.println(Json.write(r));
            case csv -> {
                StringBuilder h = new StringBuilder("cohort_date,cohort_size");
                for (int k = 0; k < r.overallRetention().size(); k++)
                    h.append(",period_").append(k);
                System.out.println(h);
                for (CohortRetention c : r.cohorts())
                    System.out.println(c.cohortDate() + "," + c.cohortSize() + cells(c.retention(), ",", "%.6f"));
            }
            default -> {
                StringBuilder h = new StringBuilder(String.format("%-22s %8s", "cohort (UTC)", "size"));
                for (int k = 0; k < r.overallRetention().size(); k++) h.append(String.format(" %6s", "P" + k));
                System.out.println(h);
                for (CohortRetention c : r.cohorts()) {
                    System.out.println(String.format("%-22s %,8d", c.cohortDate(), c.cohortSize())
                            + cells(c.retention(), " ", "%5.1f%%"));
                }
                System.out.println(
                        String.format("%-22s %8s", "overall", "") + cells(r.overallRetention(), " ", "%5.1f%%"));
                if (r.incomplete()) System.out.println("(- : period not over yet)");
            }
        }
        return 0;
    }

    private static String cells(List<Double> values, String sep, String format) {
        boolean csv = sep.equals(",");
        StringBuilder sb = new StringBuilder();
        for (Double v : values) {
            sb.append(sep);
            if (v == null) sb.append(csv ? "" : "     -");
            else sb.append(csv ? String.format(format, v) : String.format(format, 100 * v));
        }
        return sb.toString();
    }
}
