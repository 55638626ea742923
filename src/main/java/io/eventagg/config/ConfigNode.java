package io.eventagg.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * A view of one node of a YAML/JSON configuration tree that knows its path, so every error names
 * the field it is about ({@code funnels[0].steps[1].event: is required}).
 */
public final class ConfigNode {
    private final JsonNode node;
    private final String path;

    public ConfigNode(JsonNode node, String path) {
        this.node = node == null ? MissingNode.getInstance() : node;
        this.path = path;
    }

    public String path() {
        return path;
    }

    public JsonNode raw() {
        return node;
    }

    public boolean isMissing() {
        return node.isMissingNode() || node.isNull();
    }

    public String child(String name) {
        if (path.isEmpty()) return name;
        return path.endsWith(":") ? path + " " + name : path + "." + name;
    }

    public ConfigNode get(String name) {
        return new ConfigNode(node.get(name), child(name));
    }

    /** Fails on keys other than {@code allowed}, suggesting the closest allowed key. */
    public ConfigNode requireObject(Set<String> allowed) {
        if (!node.isObject()) {
            throw new ConfigException(path, "must be a mapping (key: value), found " + kind(node));
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!allowed.contains(n)) {
                String hint = closest(n, allowed);
                throw new ConfigException(
                        child(n),
                        "unknown field" + (hint == null ? "" : " (did you mean '" + hint + "'?)") + "; allowed: "
                                + String.join(", ", new TreeSet<>(allowed)));
            }
        }
        return this;
    }

    public String string(String name, String dflt) {
        ConfigNode c = get(name);
        if (c.isMissing()) return dflt;
        if (!c.node.isTextual() && !c.node.isNumber() && !c.node.isBoolean()) {
            throw new ConfigException(c.path, "must be text, found " + kind(c.node));
        }
        return c.node.asText();
    }

    public String requiredString(String name) {
        String s = string(name, null);
        if (s == null || s.isBlank()) throw new ConfigException(child(name), "is required");
        return s;
    }

    public long longValue(String name, long dflt, long min, long max) {
        ConfigNode c = get(name);
        if (c.isMissing()) return dflt;
        if (!c.node.isIntegralNumber() || !c.node.canConvertToLong()) {
            throw new ConfigException(c.path, "must be a whole number, found " + kind(c.node) + " " + c.node);
        }
        long v = c.node.asLong();
        if (v < min || v > max) {
            throw new ConfigException(c.path, "must be between " + min + " and " + max + ", found " + v);
        }
        return v;
    }

    public int intValue(String name, int dflt, int min, int max) {
        return (int) longValue(name, dflt, min, max);
    }

    public boolean bool(String name, boolean dflt) {
        ConfigNode c = get(name);
        if (c.isMissing()) return dflt;
        if (!c.node.isBoolean()) throw new ConfigException(c.path, "must be true or false, found " + c.node);
        return c.node.asBoolean();
    }

    public Duration duration(String name, Duration dflt) {
        ConfigNode c = get(name);
        if (c.isMissing()) return dflt;
        if (!c.node.isTextual() && !c.node.isIntegralNumber()) {
            throw new ConfigException(c.path, "must be a duration such as 30s, found " + kind(c.node));
        }
        return Durations.parse(c.path, c.node.asText());
    }

    /** A list (a missing key is an empty list); each element is converted with its own path. */
    public <T> List<T> list(String name, Function<ConfigNode, T> element) {
        ConfigNode c = get(name);
        List<T> out = new ArrayList<>();
        if (c.isMissing()) return out;
        if (!c.node.isArray()) throw new ConfigException(c.path, "must be a list, found " + kind(c.node));
        for (int i = 0; i < c.node.size(); i++) {
            out.add(element.apply(new ConfigNode(c.node.get(i), c.path + "[" + i + "]")));
        }
        return out;
    }

    /** This node as non-empty text. */
    public String asText() {
        if (!node.isTextual() && !node.isNumber()) {
            throw new ConfigException(path, "must be text, found " + kind(node));
        }
        if (node.asText().isBlank()) throw new ConfigException(path, "must not be empty");
        return node.asText();
    }

    static String kind(JsonNode n) {
        if (n == null || n.isMissingNode()) return "nothing";
        if (n.isNull()) return "null";
        if (n.isObject()) return "a mapping";
        if (n.isArray()) return "a list";
        if (n.isTextual()) return "text";
        if (n.isBoolean()) return "a boolean";
        if (n.isNumber()) return "a number";
        return n.getNodeType().toString().toLowerCase();
    }

    private static String closest(String name, Set<String> allowed) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String a : allowed) {
            int d = levenshtein(name, a);
            if (d < bestDistance) {
                bestDistance = d;
                best = a;
            }
        }
        return bestDistance <= Math.max(2, name.length() / 3) ? best : null;
    }

    private static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
