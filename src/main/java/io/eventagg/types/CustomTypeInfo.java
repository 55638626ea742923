package io.eventagg.types;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.util.function.SerializableSupplier;

/** Type information that always uses one given serializer: for state classes with sketches. */
public final class CustomTypeInfo<T> extends TypeInformation<T> {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final SerializableSupplier<? extends TypeSerializer<T>> serializer;

    public CustomTypeInfo(Class<T> type, SerializableSupplier<? extends TypeSerializer<T>> serializer) {
        this.type = type;
        this.serializer = serializer;
    }

    public static <T> CustomTypeInfo<T> of(
            Class<T> type, SerializableSupplier<? extends TypeSerializer<T>> serializer) {
        return new CustomTypeInfo<>(type, serializer);
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<T> getTypeClass() {
        return type;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return serializer.get();
    }

    @Override
    public String toString() {
        return "CustomTypeInfo(" + type.getSimpleName() + ")";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof CustomTypeInfo<?> o && o.type == type;
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof CustomTypeInfo;
    }
}
