package io.eventagg.testing;

import java.util.List;

/** The reference's own reading of {@link TestJobs#RETENTION}. */
public final class RefJobRetention {
    private RefJobRetention() {}

    public static final List<String> NAMES = List.of("weekly_signup", "daily_login_recurring", "monthly_buyers");

    public static List<RefRetention.Definition> all() {
        long year = 365L * 86_400_000L;
        return List.of(
                new RefRetention.Definition(
                        e -> e.event().equals("signup"), e -> e.event().equals("pageview"), "week", 6, false, year),
                new RefRetention.Definition(
                        e -> e.event().equals("login"), e -> e.event().equals("pageview"), "day", 7, true, year),
                new RefRetention.Definition(
                        RefJobFunnels.pricing(), e -> e.event().equals("purchase"), "month", 2, false, year));
    }
}
