package io.eventagg.testing;

import java.util.List;
import java.util.function.Predicate;

/** The reference's own reading of {@link TestJobs#FUNNELS}, written independently of the project's filters. */
public final class RefJobFunnels {
    private RefJobFunnels() {}

    static Predicate<RefEvent> event(String name) {
        return e -> e.event().equals(name);
    }

    public static Predicate<RefEvent> pricing() {
        return e ->
                e.event().equals("pageview") && "/pricing".equals(e.properties().get("path"));
    }

    static Predicate<RefEvent> paid() {
        return e -> {
            if (!e.event().equals("purchase")) return false;
            String a = e.properties().get("amount");
            try {
                return a != null && Double.parseDouble(a) > 0;
            } catch (NumberFormatException x) {
                return false;
            }
        };
    }

    public static RefFunnels.Funnel pricingToPurchase() {
        return new RefFunnels.Funnel(
                List.of(pricing(), event("signup"), paid()),
                604_800_000L,
                false,
                List.of(new RefFunnels.Exclusion(event("cancel"), 2, 3)));
    }

    public static RefFunnels.Funnel pricingStrict() {
        return new RefFunnels.Funnel(
                List.of(pricing(), event("signup"), event("purchase")), 3_600_000L, true, List.of());
    }

    public static RefFunnels.Funnel onboarding() {
        return new RefFunnels.Funnel(
                List.of(event("signup"), event("created_project"), event("invited_teammate")),
                86_400_000L,
                false,
                List.of());
    }

    public static List<RefFunnels.Funnel> all() {
        return List.of(pricingToPurchase(), pricingStrict(), onboarding());
    }

    public static final List<String> NAMES = List.of("pricing_to_purchase", "pricing_strict", "onboarding");
}
