package io.eventagg.config;

import io.eventagg.filter.PropertyFilter;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A filtered series ("action", as PostHog names it): the events that match any of its
 * alternatives, each an event name with property filters that must all hold. Counted like an
 * event's own series and stored under {@link #storedName()}.
 *
 * <pre>
 * actions:
 *   pricing_views: {event: pageview, filters: [{property: path, operator: eq, value: /pricing}]}
 *   signed_up: {events: [signup, signup_with_google]}
 *   paid: {any_of: [{event: purchase}, {event: upgrade, filters: [...]}]}
 * </pre>
 */
public record ActionDefinition(String name, List<Alternative> anyOf) implements Serializable {
    /** What the stored series' event column holds before the action's name. */
    public static final String STORED_PREFIX = "action:";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,100}");

    /** One way to match: this event with all of these filters. */
    public record Alternative(String event, List<PropertyFilter> filters) implements Serializable {}

    /** The event column of the action's rows ({@code action:pricing_views}). */
    public String storedName() {
        return STORED_PREFIX + name;
    }

    /** Parses the {@code actions} mapping (name → definition), in the file's order. */
    static List<ActionDefinition> parseAll(ConfigNode actions) {
        List<ActionDefinition> out = new ArrayList<>();
        if (actions.isMissing()) return out;
        if (!actions.raw().isObject())
            throw new ConfigException(
                    actions.path(), "must be a mapping of action names to definitions, e.g. pricing_views: {event: …}");
        Iterator<String> names = actions.raw().fieldNames();
        while (names.hasNext()) out.add(parse(names.next(), actions));
        return out;
    }

    private static ActionDefinition parse(String name, ConfigNode actions) {
        ConfigNode n = actions.get(name);
        if (!NAME.matcher(name).matches())
            throw new ConfigException(n.path(), "'" + name + "' must be 1-100 letters, digits, '_', '.' or '-'");
        n.requireObject(Set.of("event", "events", "filters", "any_of"));
        List<Alternative> alternatives = new ArrayList<>();
        int forms = (n.get("event").isMissing() ? 0 : 1)
                + (n.get("events").isMissing() ? 0 : 1)
                + (n.get("any_of").isMissing() ? 0 : 1);
        if (forms != 1) throw new ConfigException(n.path(), "needs exactly one of event, events or any_of");
        if (!n.get("any_of").isMissing()) {
            if (!n.get("filters").isMissing())
                throw new ConfigException(n.child("filters"), "goes inside each of any_of's alternatives");
            alternatives.addAll(n.list("any_of", a -> {
                a.requireObject(Set.of("event", "filters"));
                return new Alternative(a.requiredString("event"), List.copyOf(a.list("filters", FilterParser::parse)));
            }));
            if (alternatives.isEmpty()) throw new ConfigException(n.child("any_of"), "must not be empty");
        } else {
            List<PropertyFilter> filters = List.copyOf(n.list("filters", FilterParser::parse));
            List<String> events = n.get("event").isMissing()
                    ? n.list("events", ConfigNode::asText)
                    : List.of(n.requiredString("event"));
            if (events.isEmpty()) throw new ConfigException(n.child("events"), "must not be empty");
            for (String e : events) alternatives.add(new Alternative(e, filters));
        }
        return new ActionDefinition(name, List.copyOf(alternatives));
    }
}
