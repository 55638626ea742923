package io.eventagg.config;

import java.io.Serializable;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A funnel from the job file (the spec's {@code FunnelDefinition}, plus exclusions).
 *
 * @param conversionWindowSeconds an attempt reaches step k only if {@code ts(k) - ts(1) <= window}
 * @param strictOrder when true the user's very next event must match the next step
 */
public record FunnelDefinition(
        String name,
        List<FunnelStep> steps,
        long conversionWindowSeconds,
        boolean strictOrder,
        List<FunnelExclusion> exclusions)
        implements Serializable {

    /** Upper bound on steps: each step adds a CEP operator, and matches fit a bit mask. */
    public static final int MAX_STEPS = 20;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,100}");

    public static FunnelDefinition parse(ConfigNode n) {
        n.requireObject(Set.of("name", "steps", "conversion_window_seconds", "strict_order", "exclusions"));
        String name = n.requiredString("name");
        if (!NAME.matcher(name).matches()) {
            throw new ConfigException(n.child("name"), "'" + name + "' must be 1-100 letters, digits, '_', '.' or '-'");
        }
        List<FunnelStep> steps;
        try {
            steps = n.list("steps", FunnelStep::parse);
        } catch (ConfigException e) {
            throw in(e, name);
        }
        if (steps.size() < 2) {
            throw new ConfigException(
                    n.child("steps"), "funnel '" + name + "' needs at least 2 steps, found " + steps.size());
        }
        if (steps.size() > MAX_STEPS) {
            throw new ConfigException(n.child("steps"), "funnel '" + name + "' has more than " + MAX_STEPS + " steps");
        }
        long window = n.longValue("conversion_window_seconds", 86_400L * 14, 1, 86_400L * 366);
        boolean strict = n.bool("strict_order", false);
        int count = steps.size();
        List<FunnelExclusion> exclusions;
        try {
            exclusions = n.list("exclusions", e -> FunnelExclusion.parse(e, count));
        } catch (ConfigException e) {
            throw in(e, name);
        }
        return new FunnelDefinition(name, List.copyOf(steps), window, strict, List.copyOf(exclusions));
    }

    /** The same problem, saying which funnel it is in. */
    private static ConfigException in(ConfigException e, String funnel) {
        String problem = e.getMessage()
                .substring(
                        e.field() == null || e.field().isEmpty() ? 0 : e.field().length() + 2);
        return new ConfigException(e.field(), problem + " (in funnel '" + funnel + "')");
    }

    public long conversionWindowMillis() {
        return conversionWindowSeconds * 1000L;
    }
}
