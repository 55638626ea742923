package io.eventagg.filter;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.regex.Pattern;

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

    private PropertyFilter(
            String property,
            FilterOperator operator,
            String text,
            BigDecimal number,
            String[] texts,
            BigDecimal[] numbers,
            Pattern pattern) {
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

    /** {@code is_set} / {@code is_not_set}. */
    public static PropertyFilter presence(String property, FilterOperator op) {
        return new PropertyFilter(property, op, null, null, null, null, null);
    }

    /** {@code gt}, {@code gte}, {@code lt}, {@code lte} against a number. */
    public static PropertyFilter comparison(String property, FilterOperator op, BigDecimal number) {
        return new PropertyFilter(property, op, null, number, null, null, null);
    }

    /** {@code in} / {@code not_in}: the values' texts, and their numbers where they are numbers (else null). */
    public static PropertyFilter membership(String property, FilterOperator op, String[] texts, BigDecimal[] numbers) {
        return new PropertyFilter(property, op, null, null, texts.clone(), numbers.clone(), null);
    }

    /** {@code regex} / {@code not_regex}. */
    public static PropertyFilter regex(String property, FilterOperator op, Pattern pattern) {
        return new PropertyFilter(property, op, pattern.pattern(), null, null, null, pattern);
    }

    /** {@code eq}, {@code neq}, {@code contains}, {@code not_contains}: the value's text, and its number if it is one. */
    public static PropertyFilter value(String property, FilterOperator op, String text, BigDecimal number) {
        return new PropertyFilter(property, op, text, number, null, null, null);
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
