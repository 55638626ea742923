package io.eventagg.ingest;

import io.eventagg.types.CompactSerializer;
import io.eventagg.types.CompactStrings;
import io.eventagg.types.CustomTypeInfo;
import io.eventagg.types.FormatSnapshot;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Hand-written serializers for {@link Event} and {@link Ingested}: in streaming every event crosses
 * an all-to-all exchange in front of the router (see {@code EventaggPipeline.acrossSubtasks}), and
 * Flink's POJO serializer (a null marker and a reflective field access per field, strings character
 * by character) made that exchange a fifth of the pipeline's work. Strings go through {@link
 * CompactStrings}; fields that repeat from event to event (name, environment, source, selected
 * property values) are not even allocated again on the receiving side (the last value of a field,
 * or a small table of recent short strings).
 *
 * <p>Neither type is kept in keyed or operator state, so the layout may change between versions
 * (in-flight data of unaligned checkpoints would be the exception; eventagg uses aligned ones).
 */
public final class EventSerializers {
    private EventSerializers() {}

    private static final int ENVIRONMENT_SLOT = 0;
    private static final int SOURCE_SLOT = 1;
    private static final byte EVENT = 1;
    private static final byte DEAD_LETTER = 2;

    /** Type information of {@link Event} (through {@code @TypeInfo}). */
    public static final class EventTypeInfoFactory extends TypeInfoFactory<Event> {
        @Override
        public TypeInformation<Event> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return CustomTypeInfo.of(Event.class, EventSerializer::new);
        }
    }

    /** Type information of {@link Ingested} (through {@code @TypeInfo}). */
    public static final class IngestedTypeInfoFactory extends TypeInfoFactory<Ingested> {
        @Override
        public TypeInformation<Ingested> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return CustomTypeInfo.of(Ingested.class, IngestedSerializer::new);
        }
    }

    static void writeEvent(Event e, DataOutputView out, CompactStrings s) throws IOException {
        s.write(e.uuid(), out);
        s.write(e.event(), out);
        s.write(e.distinctId(), out);
        out.writeLong(e.timestamp());
        s.write(e.environment(), out);
        s.write(e.sessionId(), out);
        s.write(e.properties(), out);
        String[] values = e.propertyValues();
        byte[] kinds = e.propertyKinds();
        out.writeShort(values.length);
        for (String v : values) s.write(v, out);
        out.write(kinds, 0, values.length);
        s.write(e.source(), out);
        out.writeInt(e.partition());
        out.writeLong(e.offset());
    }

    static Event readEvent(DataInputView in, CompactStrings s) throws IOException {
        String uuid = s.read(in);
        String event = s.readInterned(in);
        String distinctId = s.read(in);
        long timestamp = in.readLong();
        String environment = s.read(in, ENVIRONMENT_SLOT);
        String sessionId = s.read(in);
        String properties = s.read(in);
        int n = in.readUnsignedShort();
        String[] values = new String[n];
        for (int i = 0; i < n; i++) values[i] = s.readInterned(in);
        byte[] kinds = new byte[n];
        in.readFully(kinds);
        String source = s.read(in, SOURCE_SLOT);
        int partition = in.readInt();
        long offset = in.readLong();
        return new Event(
                uuid,
                event,
                distinctId,
                timestamp,
                environment,
                sessionId,
                properties,
                values,
                kinds,
                source,
                partition,
                offset);
    }

    private static CompactStrings strings() {
        return new CompactStrings(2);
    }

    /** {@link Event}: the fields in declaration order. */
    public static final class EventSerializer extends CompactSerializer<Event> {
        private static final long serialVersionUID = 1L;
        private transient CompactStrings strings;

        private CompactStrings s() {
            if (strings == null) strings = strings();
            return strings;
        }

        @Override
        public TypeSerializer<Event> duplicate() {
            // Holds a scratch buffer and the last values read: one instance per thread.
            return new EventSerializer();
        }

        @Override
        public Event createInstance() {
            return new Event(null, "", "", 0, "", null, null, new String[0], new byte[0], "", -1, 0);
        }

        @Override
        protected void write(Event e, DataOutputView out) throws IOException {
            writeEvent(e, out, s());
        }

        @Override
        protected Event read(DataInputView in) throws IOException {
            return readEvent(in, s());
        }

        @Override
        public TypeSerializerSnapshot<Event> snapshotConfiguration() {
            return new EventSnapshot();
        }
    }

    /** {@link Ingested}: a tag, then the event or the dead letter. */
    public static final class IngestedSerializer extends CompactSerializer<Ingested> {
        private static final long serialVersionUID = 1L;
        private transient CompactStrings strings;

        private CompactStrings s() {
            if (strings == null) strings = strings();
            return strings;
        }

        @Override
        public TypeSerializer<Ingested> duplicate() {
            return new IngestedSerializer();
        }

        @Override
        public Ingested createInstance() {
            return Ingested.dead(new DeadLetter("", -1, 0, "", "", 0));
        }

        @Override
        protected void write(Ingested i, DataOutputView out) throws IOException {
            if (i.event() != null) {
                out.writeByte(EVENT);
                writeEvent(i.event(), out, s());
            } else {
                DeadLetter d = i.deadLetter();
                out.writeByte(DEAD_LETTER);
                s().write(d.source(), out);
                out.writeInt(d.partition());
                out.writeLong(d.offset());
                s().write(d.reason(), out);
                s().write(d.raw(), out);
                out.writeLong(d.rawBytes());
            }
        }

        @Override
        protected Ingested read(DataInputView in) throws IOException {
            byte tag = in.readByte();
            if (tag == EVENT) return Ingested.of(readEvent(in, s()));
            if (tag != DEAD_LETTER) throw new IOException("unknown Ingested tag " + tag);
            String source = s().read(in, SOURCE_SLOT);
            int partition = in.readInt();
            long offset = in.readLong();
            String reason = s().read(in);
            String raw = s().read(in);
            long rawBytes = in.readLong();
            return Ingested.dead(new DeadLetter(source, partition, offset, reason, raw, rawBytes));
        }

        @Override
        public TypeSerializerSnapshot<Ingested> snapshotConfiguration() {
            return new IngestedSnapshot();
        }
    }

    /** Serializer snapshot: the format (one so far; no format byte, as events are never state). */
    public static final class EventSnapshot extends FormatSnapshot<Event> {
        public EventSnapshot() {
            super("Event", 1, 1, 1, EventSerializer::new);
        }
    }

    /** Serializer snapshot: the format (one so far; no format byte, as events are never state). */
    public static final class IngestedSnapshot extends FormatSnapshot<Ingested> {
        public IngestedSnapshot() {
            super("Ingested", 1, 1, 1, IngestedSerializer::new);
        }
    }
}
