package io.eventagg.config;

import io.eventagg.filter.PropertyFilter;
import io.eventagg.filter.PropertySelection;
import io.eventagg.time.BucketCalendar;
import io.eventagg.time.Granularity;
import java.io.Serializable;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a job aggregates: the validated content of a {@code jobs/*.yaml} file. Field names follow the
 * spec ({@code granularities, events, breakdowns, funnels, retention}); everything else is an
 * additive extension with a default.
 */
public record JobDefinition(
        String name,
        ZoneId timezone,
        String defaultEnvironment,
        List<Granularity> granularities,
        Horizons horizons,
        List<String> events,
        List<String> breakdowns,
        int breakdownLimit,
        WatermarkSettings watermark,
        LimitSettings limits,
        int sketchLgK,
        List<FunnelDefinition> funnels,
        List<RetentionDefinition> retention,
        List<Granularity> breakdownUsers,
        List<ActionDefinition> actions,
        StickinessSettings stickiness,
        List<MeasureDefinition> measures)
        implements Serializable {

    public static final Set<String> FIELDS = Set.of(
            "name",
            "timezone",
            "default_environment",
            "granularities",
            "horizons",
            "events",
            "breakdowns",
            "breakdown_limit",
            "breakdown_users",
            "watermark",
            "limits",
            "sketch",
            "funnels",
            "retention",
            "actions",
            "stickiness",
            "measures");

    public BucketCalendar calendar() {
        return new BucketCalendar(timezone);
    }

    /** Breakdown keys first (their index is their position), then keys that filters read. */
    public PropertySelection propertySelection() {
        Set<String> keys = new LinkedHashSet<>(breakdowns);
        for (FunnelDefinition f : funnels) {
            for (FunnelStep s : f.steps()) s.filters().forEach(p -> keys.add(p.property()));
            for (FunnelExclusion x : f.exclusions()) x.filters().forEach(p -> keys.add(p.property()));
        }
        for (RetentionDefinition r : retention) {
            r.startFilters().forEach(p -> keys.add(p.property()));
            r.returnFilters().forEach(p -> keys.add(p.property()));
        }
        for (ActionDefinition a : actions) {
            for (ActionDefinition.Alternative x : a.anyOf()) x.filters().forEach(p -> keys.add(p.property()));
        }
        for (MeasureDefinition m : measures) keys.add(m.property());
        return new PropertySelection(keys);
    }

    /** The measure of this name, or null. */
    public MeasureDefinition measure(String name) {
        for (MeasureDefinition m : measures) if (m.name().equals(name)) return m;
        return null;
    }

    /** The action of this name, or null. */
    public ActionDefinition action(String name) {
        for (ActionDefinition a : actions) if (a.name().equals(name)) return a;
        return null;
    }

    /** Whether buckets of {@code g} keep the users of each breakdown value ({@code breakdown_users}). */
    public boolean breakdownUsersAt(Granularity g) {
        return breakdownUsers.contains(g);
    }

    /** Whether the time series take this event (an empty {@code events} list takes all). */
    public boolean tracksEvent(String event) {
        return events.isEmpty() || events.contains(event);
    }

    static JobDefinition parse(ConfigNode root) {
        root.requireObject(FIELDS);
        String name = root.requiredString("name");
        if (!name.matches("[A-Za-z0-9_.\\-]{1,100}")) {
            throw new ConfigException("name", "'" + name + "' must be 1-100 letters, digits, '_', '.' or '-'");
        }
        String tz = root.string("timezone", "UTC");
        ZoneId zone = TimeZones.parse("timezone", tz);
        String env = root.string("default_environment", "production");
        if (env.isBlank()) throw new ConfigException("default_environment", "must not be empty");

        List<Granularity> grans;
        if (root.get("granularities").isMissing()) {
            grans = List.of(Granularity.values());
        } else {
            List<Granularity> parsed = root.list("granularities", n -> {
                Granularity g = Granularity.parse(n.asText());
                if (g == null) {
                    throw new ConfigException(
                            n.path(), "'" + n.raw().asText() + "' is not one of minute, hour, day, week, month");
                }
                return g;
            });
            if (parsed.isEmpty())
                throw new ConfigException("granularities", "must name at least one of minute, hour, day, week, month");
            EnumSet<Granularity> set = EnumSet.noneOf(Granularity.class);
            for (Granularity g : parsed) {
                if (!set.add(g)) throw new ConfigException("granularities", "'" + g.id() + "' is listed twice");
            }
            grans = List.copyOf(set);
        }

        Horizons horizons = Horizons.parse(root.get("horizons"), grans);
        List<String> events = uniqueTexts(root, "events");
        List<String> breakdowns = uniqueTexts(root, "breakdowns");
        int limit = root.intValue("breakdown_limit", 100, 1, 100_000);
        List<Granularity> breakdownUsers = parseBreakdownUsers(root, grans);
        List<ActionDefinition> actions = List.copyOf(ActionDefinition.parseAll(root.get("actions")));
        for (ActionDefinition a : actions) {
            if (events.contains(a.name()))
                throw new ConfigException(
                        "actions." + a.name(),
                        "is also an event in 'events': an action needs a name of its own (queries ask by name)");
        }
        WatermarkSettings wm = WatermarkSettings.parse(root.get("watermark"));
        LimitSettings limits = LimitSettings.parse(root.get("limits"));
        if (limits.breakdownValuesPerBucket() < limit) {
            throw new ConfigException(
                    "limits.breakdown_values_per_bucket",
                    "must be at least breakdown_limit (" + limit + "), found " + limits.breakdownValuesPerBucket());
        }
        ConfigNode sketch = root.get("sketch");
        int lgK = 14;
        if (!sketch.isMissing()) {
            sketch.requireObject(Set.of("lg_k"));
            lgK = sketch.intValue("lg_k", 14, 10, 18);
        }

        List<FunnelDefinition> funnels = root.list("funnels", FunnelDefinition::parse);
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < funnels.size(); i++) {
            if (!names.add(funnels.get(i).name())) {
                throw new ConfigException(
                        "funnels[" + i + "].name", "funnel '" + funnels.get(i).name() + "' is defined twice");
            }
        }
        List<RetentionDefinition> retention = root.list("retention", RetentionDefinition::parse);
        names.clear();
        for (int i = 0; i < retention.size(); i++) {
            if (!names.add(retention.get(i).name())) {
                throw new ConfigException(
                        "retention[" + i + "].name",
                        "retention '" + retention.get(i).name() + "' is defined twice");
            }
        }
        return new JobDefinition(
                name,
                zone,
                env,
                grans,
                horizons,
                events,
                breakdowns,
                limit,
                wm,
                limits,
                lgK,
                List.copyOf(funnels),
                List.copyOf(retention),
                breakdownUsers,
                actions,
                StickinessSettings.parse(root.get("stickiness")),
                List.copyOf(MeasureDefinition.parseAll(root.get("measures"))));
    }

    /**
     * {@code breakdown_users}: {@code true} (every granularity of the job), {@code false} (none) or
     * a list of the job's granularities; by default days, weeks and months: minute and hour rows
     * are most of a job's, and their values' users would double its storage (BENCHMARKS.md).
     */
    private static List<Granularity> parseBreakdownUsers(ConfigNode root, List<Granularity> grans) {
        ConfigNode n = root.get("breakdown_users");
        if (n.isMissing())
            return grans.stream()
                    .filter(g -> g.ordinal() >= Granularity.DAY.ordinal())
                    .toList();
        if (n.raw().isBoolean()) return n.raw().asBoolean() ? grans : List.of();
        if (!n.raw().isArray())
            throw new ConfigException(
                    "breakdown_users", "must be true, false or a list of the job's granularities, e.g. [hour, day]");
        List<Granularity> out = new ArrayList<>();
        for (String id : n.raw().isEmpty() ? List.<String>of() : root.list("breakdown_users", ConfigNode::asText)) {
            Granularity g = Granularity.parse(id);
            if (g == null || !grans.contains(g))
                throw new ConfigException(
                        "breakdown_users",
                        "'" + id + "' is not one of the job's granularities ("
                                + String.join(
                                        ", ",
                                        grans.stream().map(Granularity::id).toList()) + ")");
            if (!out.contains(g)) out.add(g);
        }
        return List.copyOf(out);
    }

    private static List<String> uniqueTexts(ConfigNode root, String field) {
        List<String> values = root.list(field, ConfigNode::asText);
        Set<String> seen = new LinkedHashSet<>();
        for (String v : values) {
            if (!seen.add(v)) throw new ConfigException(field, "'" + v + "' is listed twice");
        }
        return List.copyOf(new ArrayList<>(seen));
    }

    /** All property filters, for validation and documentation tools. */
    public List<PropertyFilter> allFilters() {
        List<PropertyFilter> all = new ArrayList<>();
        funnels.forEach(f -> {
            f.steps().forEach(s -> all.addAll(s.filters()));
            f.exclusions().forEach(x -> all.addAll(x.filters()));
        });
        retention.forEach(r -> {
            all.addAll(r.startFilters());
            all.addAll(r.returnFilters());
        });
        return all;
    }
}
