package io.eventagg.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.eventagg.config.ConfigException;
import io.eventagg.config.ConfigNode;
import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One compiled {@code {property, operator, value}} condition on an event's properties.
 *
 * <p>Semantics: {@code eq/neq/in/not_in} compare numbers numerically when both sides are numbers,
 * otherwise the property's text (a string as-is, other JSON values as their JSON text) with the
 * value's text; {@code gt/gte/lt/lte} need a numeric value and match numeric properties (or
 * strings that parse as numbers); {@code contains/regex} work on the property's text ({@code
 * regex} matches anywhere, like {@code find}); the negative operators also match an absent
 * property.
 */
public final class PropertyFilter implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String property;
    private final FilterOperator operator;
    private final String text;
    private final BigDecimal number;
    private final String[] texts;
    private final BigDecimal[] numbers;
    private final Pattern pattern;

    private PropertyFilter(String property, FilterOperator operator, String text, BigDecimal number,
            String[] texts, BigDecimal[] numbers, Pattern pattern) {
        this.property = property;
        this.operator = operator;
        this.text = text;
        this.number = number;
        this.texts = texts;
        this.numbers = numbers;
        this.pattern = pattern;
    }

    public String property() {
        return property;
    }

    public FilterOperator operator() {
        return operator;
    }

    /** Reads and checks {@code {property, operator, value}} at {@code node}'s path. */
    public static PropertyFilter parse(ConfigNode node) {
        node.requireObject(Set.of("property", "operator", "value"));
        String property = node.requiredString("property");
        String opText = node.requiredString("operator");
        FilterOperator op = FilterOperator.parse(opText);
        if (op == null) {
            StringBuilder all = new StringBuilder();
            for (FilterOperator o : FilterOperator.values()) all.append(all.length() == 0 ? "" : ", ").append(o.id());
            throw new ConfigException(node.child("operator"), "unknown operator '" + opText + "' (expected one of " + all + ")");
        }
        ConfigNode valueNode = node.get("value");
        JsonNode v = valueNode.raw();
        String field = valueNode.path();
        switch (op) {
            case IS_SET, IS_NOT_SET -> {
                return new PropertyFilter(property, op, null, null, null, null, null);
            }
            case GT, GTE, LT, LTE -> {
                if (!v.isNumber()) throw new ConfigException(field, "operator " + op.id() + " needs a number, found " + describe(v));
                return new PropertyFilter(property, op, null, v.decimalValue(), null, null, null);
            }
            case IN, NOT_IN -> {
                if (!v.isArray() || v.isEmpty()) {
                    throw new ConfigException(field, "operator " + op.id() + " needs a non-empty list of values, found " + describe(v));
                }
                List<String> ts = new ArrayList<>();
                List<BigDecimal> ns = new ArrayList<>();
                for (int i = 0; i < v.size(); i++) {
                    JsonNode e = v.get(i);
                    if (!e.isValueNode() || e.isNull()) {
                        throw new ConfigException(field + "[" + i + "]", "must be a string, number or boolean, found " + describe(e));
                    }
                    ts.add(e.asText());
                    ns.add(e.isNumber() ? e.decimalValue() : null);
                }
                return new PropertyFilter(property, op, null, null, ts.toArray(new String[0]), ns.toArray(new BigDecimal[0]), null);
            }
            case REGEX, NOT_REGEX -> {
                if (!v.isTextual()) throw new ConfigException(field, "operator " + op.id() + " needs a regular expression as text, found " + describe(v));
                try {
                    return new PropertyFilter(property, op, v.asText(), null, null, null, Pattern.compile(v.asText()));
                } catch (PatternSyntaxException e) {
                    throw new ConfigException(field, "regular expression does not compile: " + e.getDescription() + " near index " + e.getIndex());
                }
            }
            case CONTAINS, NOT_CONTAINS -> {
                if (!v.isValueNode() || v.isNull() || v.isMissingNode()) {
                    throw new ConfigException(field, "operator " + op.id() + " needs a text value, found " + describe(v));
                }
                return new PropertyFilter(property, op, v.asText(), null, null, null, null);
            }
            case EQ, NEQ -> {
                if (!v.isValueNode() || v.isNull() || v.isMissingNode()) {
                    throw new ConfigException(field, "operator " + op.id() + " needs a string, number or boolean, found " + describe(v));
                }
                return new PropertyFilter(property, op, v.asText(), v.isNumber() ? v.decimalValue() : null, null, null, null);
            }
            default -> throw new IllegalStateException(op.toString());
        }
    }

    private static String describe(JsonNode v) {
        if (v == null || v.isMissingNode()) return "no value";
        return v.getNodeType().toString().toLowerCase() + " " + v;
    }

    /**
     * @param value the property's text (string content, or JSON text for other kinds)
     * @param kind one of {@link PropertyKind}
     */
    public boolean test(String value, byte kind) {
        if (kind == PropertyKind.ABSENT) {
            return operator.matchesAbsent();
        }
        switch (operator) {
            case IS_SET:
                return true;
            case IS_NOT_SET:
                return false;
            case EQ:
                return equalsValue(value, kind, text, number);
            case NEQ:
                return !equalsValue(value, kind, text, number);
            case IN:
            case NOT_IN: {
                boolean found = false;
                for (int i = 0; i < texts.length && !found; i++) found = equalsValue(value, kind, texts[i], numbers[i]);
                return operator == FilterOperator.IN ? found : !found;
            }
            case GT:
            case GTE:
            case LT:
            case LTE: {
                BigDecimal n = numeric(value, kind);
                if (n == null) return false;
                int c = n.compareTo(number);
                return switch (operator) {
                    case GT -> c > 0;
                    case GTE -> c >= 0;
                    case LT -> c < 0;
                    default -> c <= 0;
                };
            }
            case CONTAINS:
                return value.contains(text);
            case NOT_CONTAINS:
                return !value.contains(text);
            case REGEX:
                return pattern.matcher(value).find();
            case NOT_REGEX:
                return !pattern.matcher(value).find();
            default:
                throw new IllegalStateException(operator.toString());
        }
    }

    private static boolean equalsValue(String value, byte kind, String text, BigDecimal number) {
        if (number != null && kind == PropertyKind.NUMBER) {
            BigDecimal n = numeric(value, kind);
            return n != null && n.compareTo(number) == 0;
        }
        return value.equals(text);
    }

    private static BigDecimal numeric(String value, byte kind) {
        if (kind != PropertyKind.NUMBER && kind != PropertyKind.STRING) return null;
        try {
            return new BigDecimal(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
