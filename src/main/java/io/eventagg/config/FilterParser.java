package io.eventagg.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.eventagg.filter.FilterOperator;
import io.eventagg.filter.PropertyFilter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** A property filter of the job file ({@code {property, operator, value}}), read and checked. */
public final class FilterParser {
    private FilterParser() {}

    /** Reads and checks {@code {property, operator, value}} at {@code node}'s path. */
    public static PropertyFilter parse(ConfigNode node) {
        node.requireObject(Set.of("property", "operator", "value"));
        String property = node.requiredString("property");
        String opText = node.requiredString("operator");
        FilterOperator op = FilterOperator.parse(opText);
        if (op == null) {
            StringBuilder all = new StringBuilder();
            for (FilterOperator o : FilterOperator.values())
                all.append(all.length() == 0 ? "" : ", ").append(o.id());
            throw new ConfigException(
                    node.child("operator"), "unknown operator '" + opText + "' (expected one of " + all + ")");
        }
        ConfigNode valueNode = node.get("value");
        JsonNode v = valueNode.raw();
        String field = valueNode.path();
        switch (op) {
            case IS_SET, IS_NOT_SET -> {
                return PropertyFilter.presence(property, op);
            }
            case GT, GTE, LT, LTE -> {
                if (!v.isNumber())
                    throw new ConfigException(field, "operator " + op.id() + " needs a number, found " + describe(v));
                return PropertyFilter.comparison(property, op, v.decimalValue());
            }
            case IN, NOT_IN -> {
                if (!v.isArray() || v.isEmpty()) {
                    throw new ConfigException(
                            field, "operator " + op.id() + " needs a non-empty list of values, found " + describe(v));
                }
                List<String> ts = new ArrayList<>();
                List<BigDecimal> ns = new ArrayList<>();
                for (int i = 0; i < v.size(); i++) {
                    JsonNode e = v.get(i);
                    if (!e.isValueNode() || e.isNull()) {
                        throw new ConfigException(
                                field + "[" + i + "]", "must be a string, number or boolean, found " + describe(e));
                    }
                    ts.add(e.asText());
                    ns.add(e.isNumber() ? e.decimalValue() : null);
                }
                return PropertyFilter.membership(
                        property, op, ts.toArray(new String[0]), ns.toArray(new BigDecimal[0]));
            }
            case REGEX, NOT_REGEX -> {
                if (!v.isTextual())
                    throw new ConfigException(
                            field, "operator " + op.id() + " needs a regular expression as text, found " + describe(v));
                try {
                    return PropertyFilter.regex(property, op, Pattern.compile(v.asText()));
                } catch (PatternSyntaxException e) {
                    throw new ConfigException(
                            field,
                            "regular expression does not compile: " + e.getDescription() + " near index "
                                    + e.getIndex());
                }
            }
            case CONTAINS, NOT_CONTAINS -> {
                if (!v.isValueNode() || v.isNull() || v.isMissingNode()) {
                    throw new ConfigException(
                            field, "operator " + op.id() + " needs a text value, found " + describe(v));
                }
                return PropertyFilter.value(property, op, v.asText(), null);
            }
            case EQ, NEQ -> {
                if (!v.isValueNode() || v.isNull() || v.isMissingNode()) {
                    throw new ConfigException(
                            field, "operator " + op.id() + " needs a string, number or boolean, found " + describe(v));
                }
                return PropertyFilter.value(property, op, v.asText(), v.isNumber() ? v.decimalValue() : null);
            }
            default -> throw new IllegalStateException(op.toString());
        }
    }

    private static String describe(JsonNode v) {
        if (v == null || v.isMissingNode()) return "no value";
        return v.getNodeType().toString().toLowerCase() + " " + v;
    }
}
