package io.eventagg.filter;

/** The JSON type of an extracted property value, stored as a byte next to its text. */
public final class PropertyKind {
    public static final byte ABSENT = 0;
    public static final byte STRING = 1;
    public static final byte NUMBER = 2;
    public static final byte BOOLEAN = 3;
    public static final byte NULL = 4;
    /** An object or array, kept as its JSON text. */
    public static final byte JSON = 5;

    private PropertyKind() {}
}
