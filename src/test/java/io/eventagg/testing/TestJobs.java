package io.eventagg.testing;

import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;

/** Job definitions used by tests. */
public final class TestJobs {
    private TestJobs() {}

    /** Time series only, five granularities, a small breakdown limit so {@code $other} is exercised. */
    public static JobDefinition timeSeries(String name, String zone) {
        return JobLoader.parse("""
                name: %s
                timezone: %s
                granularities: [minute, hour, day, week, month]
                breakdowns: [plan, country, path]
                breakdown_limit: 5
                watermark: {out_of_orderness: 30s, allowed_lateness: 1h, emit_interval: 1s}
                """.formatted(name, zone));
    }

    /** The funnels used by tests; they follow the generator's behaviour. */
    public static final String FUNNELS = """
            funnels:
              - name: pricing_to_purchase
                conversion_window_seconds: 604800
                steps:
                  - {name: Viewed pricing, event: pageview, filters: [{property: path, operator: eq, value: /pricing}]}
                  - {name: Signed up, event: signup}
                  - {name: Purchased, event: purchase, filters: [{property: amount, operator: gt, value: 0}]}
                exclusions:
                  - {event: cancel, after_step: 2, before_step: 3}
              - name: pricing_strict
                conversion_window_seconds: 3600
                strict_order: true
                steps:
                  - {event: pageview, filters: [{property: path, operator: eq, value: /pricing}]}
                  - {event: signup}
                  - {event: purchase}
              - name: onboarding
                conversion_window_seconds: 86400
                steps:
                  - {event: signup}
                  - {event: created_project}
                  - {event: invited_teammate}
            """;

    public static JobDefinition withFunnels(String name, String zone) {
        return JobLoader.parse("""
                name: %s
                timezone: %s
                granularities: [day]
                breakdowns: [plan]
                watermark: {out_of_orderness: 30s, allowed_lateness: 1h, emit_interval: 1s}
                """.formatted(name, zone) + FUNNELS);
    }

    /** Retention definitions used by tests; {@link RefJobRetention} mirrors them. */
    public static final String RETENTION = """
            retention:
              - name: weekly_signup
                start_event: signup
                return_event: pageview
                cohort_period: week
                periods: 6
              - name: daily_login_recurring
                start_event: login
                return_event: pageview
                cohort_period: day
                periods: 7
                type: recurring
              - name: monthly_buyers
                start_event: pageview
                start_filters: [{property: path, operator: eq, value: /pricing}]
                return_event: purchase
                cohort_period: month
                periods: 2
            """;

    public static JobDefinition withRetention(String name, String zone) {
        return JobLoader.parse("""
                name: %s
                timezone: %s
                granularities: [day]
                watermark: {out_of_orderness: 30s, allowed_lateness: 1h, emit_interval: 1s}
                """.formatted(name, zone) + RETENTION);
    }

    /** Everything at once: all granularities, breakdowns, the test funnels and retention definitions. */
    public static JobDefinition full(String name, String zone) {
        return JobLoader.parse("""
                name: %s
                timezone: %s
                granularities: [minute, hour, day, week, month]
                breakdowns: [plan, country]
                breakdown_limit: 5
                watermark: {out_of_orderness: 30s, allowed_lateness: 1h, emit_interval: 1s}
                stickiness: {periods: [week, month]}
                measures:
                  revenue: {event: purchase, property: amount}
                """.formatted(name, zone) + FUNNELS + RETENTION);
    }
}
