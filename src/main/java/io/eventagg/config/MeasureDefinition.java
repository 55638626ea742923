package io.eventagg.config;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A numeric measure: a property of some events aggregated per bucket (sum, count, min, max and a
 * distribution), e.g. {@code revenue: {event: purchase, property: amount}}.
 */
public record MeasureDefinition(String name, List<String> events, String property) implements Serializable {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,100}");

    /** Parses the {@code measures} mapping (name → definition), in the file's order. */
    static List<MeasureDefinition> parseAll(ConfigNode measures) {
        List<MeasureDefinition> out = new ArrayList<>();
        if (measures.isMissing()) return out;
        if (!measures.raw().isObject())
            throw new ConfigException(
                    measures.path(),
                    "must be a mapping of measure names to definitions, e.g. revenue: {event: purchase, property: amount}");
        Iterator<String> names = measures.raw().fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            ConfigNode n = measures.get(name);
            if (!NAME.matcher(name).matches())
                throw new ConfigException(n.path(), "'" + name + "' must be 1-100 letters, digits, '_', '.' or '-'");
            n.requireObject(Set.of("event", "events", "property"));
            if (n.get("event").isMissing() == n.get("events").isMissing())
                throw new ConfigException(n.path(), "needs exactly one of event or events");
            List<String> events = n.get("event").isMissing()
                    ? n.list("events", ConfigNode::asText)
                    : List.of(n.requiredString("event"));
            if (events.isEmpty()) throw new ConfigException(n.child("events"), "must not be empty");
            out.add(new MeasureDefinition(name, List.copyOf(events), n.requiredString("property")));
        }
        return out;
    }
}
