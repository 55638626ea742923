package io.eventagg.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshotSerializationUtil;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Upgrade test of one hand-written serializer over committed fixtures, after Flink's own {@code
 * TypeSerializerUpgradeTestBase}: what a savepoint of an earlier release holds of this type (its
 * serializer snapshot and state bytes) must still restore with the current code.
 *
 * <p>Each fixture is a directory {@code src/test/resources/serializer-upgrade/<type>/<version>/}
 * with {@code serializer-snapshot} (the snapshot as a checkpoint stores it: {@link
 * TypeSerializerSnapshotSerializationUtil#writeSerializerSnapshot}) and {@code test-data} (a count,
 * then the sample values as the serializer of that time wrote them). Per fixture:
 *
 * <ul>
 *   <li>the restored snapshot's {@code restoreSerializer()} reads the data back to the expected
 *       values (the heap backend reads a savepoint this way, before anything else happens);
 *   <li>the current serializer's snapshot resolves the expected compatibility against it;
 *   <li>the state ends up readable by the current serializer: as is, or after the migration Flink
 *       performs (read with the restored serializer, write with the current one).
 * </ul>
 *
 * <p>And for the current layout: its fixture is committed, and the current code writes exactly its
 * bytes, snapshot and data. A change to the layout therefore fails here until it comes with a new
 * format (the old one still read) and a new fixture: run {@code mvn -o test
 * -Dtest=<this test> -Dgenerate.fixtures=true} once and commit what it writes (see
 * docs/development.md). Committed fixtures are never rewritten.
 */
public abstract class SerializerUpgradeTestBase<T> {
    private static final Path SOURCE_ROOT = Path.of("src/test/resources/serializer-upgrade");
    private static final String SNAPSHOT_FILE = "serializer-snapshot";
    private static final String DATA_FILE = "test-data";

    /** What the current serializer must say about state written with a fixture's snapshot. */
    public enum Expect {
        AS_IS,
        AFTER_MIGRATION,
        INCOMPATIBLE
    }

    /**
     * A committed fixture.
     *
     * @param name its directory under the type's
     * @param compatibility what the current serializer resolves against its snapshot
     * @param values what its data holds, as the current code sees it
     */
    public record Fixture<T>(String name, Expect compatibility, List<T> values) {}

    /** The type's directory under {@code serializer-upgrade/}. */
    protected abstract String type();

    /** The serializer of this release. */
    protected abstract TypeSerializer<T> serializer();

    /** The fixture the current code writes (the name of its layout). */
    protected abstract String currentFixture();

    /** The values the current layout's fixture holds (what generating writes). */
    protected abstract List<T> samples();

    /** Every committed fixture of the type, the current one included. */
    protected abstract List<Fixture<T>> fixtures();

    /** Asserts that a value read back is the expected one (by default field by field). */
    protected void assertSameValue(T actual, T expected) {
        assertThat(actual).usingRecursiveComparison().isEqualTo(expected);
    }

    @TestFactory
    public Stream<DynamicContainer> committedFixturesRestore() {
        return fixtures().stream()
                .map(f -> DynamicContainer.dynamicContainer(
                        f.name(),
                        Stream.of(
                                DynamicTest.dynamicTest("restored serializer reads the data", () -> restoredReads(f)),
                                DynamicTest.dynamicTest(
                                        "compatibility is " + f.compatibility(), () -> resolvesCompatibility(f)),
                                DynamicTest.dynamicTest("current serializer reads the state", () -> currentReads(f)))));
    }

    private void restoredReads(Fixture<T> f) throws IOException {
        if (f.compatibility() == Expect.INCOMPATIBLE) return;
        TypeSerializer<T> restored = snapshot(f.name()).restoreSerializer();
        assertValues(read(restored, data(f.name())), f.values());
    }

    private void resolvesCompatibility(Fixture<T> f) throws IOException {
        TypeSerializerSchemaCompatibility<T> c =
                serializer().snapshotConfiguration().resolveSchemaCompatibility(snapshot(f.name()));
        switch (f.compatibility()) {
            case AS_IS ->
                assertThat(c.isCompatibleAsIs()).as("compatible as is: %s", c).isTrue();
            case AFTER_MIGRATION ->
                assertThat(c.isCompatibleAfterMigration())
                        .as("compatible after migration: %s", c)
                        .isTrue();
            case INCOMPATIBLE ->
                assertThat(c.isIncompatible()).as("incompatible: %s", c).isTrue();
        }
    }

    private void currentReads(Fixture<T> f) throws IOException {
        switch (f.compatibility()) {
            case AS_IS -> assertValues(read(serializer(), data(f.name())), f.values());
            case AFTER_MIGRATION -> {
                // What Flink does: read with the restored serializer, write with the new one.
                List<T> old = read(snapshot(f.name()).restoreSerializer(), data(f.name()));
                assertValues(read(serializer(), write(serializer(), old)), f.values());
            }
            case INCOMPATIBLE -> {}
        }
    }

    private void assertValues(List<T> actual, List<T> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) assertSameValue(actual.get(i), expected.get(i));
    }

    @Test
    public void currentLayoutHasItsCommittedFixture() throws IOException {
        String name = currentFixture();
        assertThat(fixtures())
                .as("the current layout's fixture is among the fixtures, compatible as is")
                .anyMatch(f -> f.name().equals(name) && f.compatibility() == Expect.AS_IS);
        assertThat(getClass().getResource(resource(name, DATA_FILE)))
                .as("no fixture %s/%s: generate it (docs/development.md)", type(), name)
                .isNotNull();
        assertThat(snapshotBytes(serializer().snapshotConfiguration()))
                .as(
                        "the snapshot of %s differs from its committed fixture %s: a new snapshot needs a new"
                                + " fixture (docs/development.md)",
                        type(), name)
                .isEqualTo(bytes(name, SNAPSHOT_FILE));
        assertThat(write(serializer(), samples()))
                .as(
                        "%s writes other bytes than its committed fixture %s: a layout change needs a new format"
                                + " that still reads the old one, and a fixture (docs/development.md)",
                        type(), name)
                .isEqualTo(data(name));
    }

    /**
     * State from a newer release (a snapshot version or a format this code does not know) fails the
     * restore with a message that says so, instead of being misread.
     */
    @Test
    public void snapshotOfANewerReleaseFailsClearly() throws Exception {
        TypeSerializerSnapshot<T> current = serializer().snapshotConfiguration();
        assertThat(current).isInstanceOf(FormatSnapshot.class);
        int format = ((FormatSnapshot<T>) current).format();
        ClassLoader cl = getClass().getClassLoader();
        assertThatThrownBy(() -> blank(current)
                        .readSnapshot(FormatSnapshot.VERSION + 1, new DataInputDeserializer(new byte[0]), cl))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("newer release");
        DataOutputSerializer newer = new DataOutputSerializer(4);
        newer.writeInt(format + 1);
        assertThatThrownBy(() -> blank(current)
                        .readSnapshot(FormatSnapshot.VERSION, new DataInputDeserializer(newer.getCopyOfBuffer()), cl))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("format " + (format + 1) + " by a newer eventagg release");
    }

    @SuppressWarnings("unchecked")
    private static <V> TypeSerializerSnapshot<V> blank(TypeSerializerSnapshot<V> s) throws Exception {
        return s.getClass().getDeclaredConstructor().newInstance();
    }

    /**
     * Writes the current layout's fixture into {@code src/test/resources} (run from the project's
     * directory with {@code -Dgenerate.fixtures=true}); leaves a committed one as it is, and fails
     * if the code would now write it differently.
     */
    @Test
    @EnabledIfSystemProperty(named = "generate.fixtures", matches = "true")
    public void generateCurrentFixture() throws IOException {
        writeFixture(
                currentFixture(), snapshotBytes(serializer().snapshotConfiguration()), write(serializer(), samples()));
        generateOlderFixtures();
    }

    /** For fixtures of earlier layouts that a test reconstructs (see {@link #writeFixture}). */
    protected void generateOlderFixtures() throws IOException {}

    /** Writes a fixture unless it is committed already (then it must be byte for byte the same). */
    protected final void writeFixture(String name, byte[] snapshot, byte[] data) throws IOException {
        Path dir = SOURCE_ROOT.resolve(type()).resolve(name);
        if (Files.exists(dir.resolve(DATA_FILE))) {
            assertThat(Files.readAllBytes(dir.resolve(SNAPSHOT_FILE)))
                    .as("committed fixture %s/%s is never rewritten", type(), name)
                    .isEqualTo(snapshot);
            assertThat(Files.readAllBytes(dir.resolve(DATA_FILE)))
                    .as("committed fixture %s/%s is never rewritten", type(), name)
                    .isEqualTo(data);
            return;
        }
        Files.createDirectories(dir);
        Files.write(dir.resolve(SNAPSHOT_FILE), snapshot);
        Files.write(dir.resolve(DATA_FILE), data);
    }

    protected static byte[] snapshotBytes(TypeSerializerSnapshot<?> snapshot) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(128);
        TypeSerializerSnapshotSerializationUtil.writeSerializerSnapshot(out, snapshot);
        return out.getCopyOfBuffer();
    }

    /** The data file of {@code values}: their count, then each as {@code serializer} writes it. */
    protected static <V> byte[] write(TypeSerializer<V> serializer, List<V> values) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        out.writeInt(values.size());
        for (V v : values) serializer.serialize(v, out);
        return out.getCopyOfBuffer();
    }

    private static <V> List<V> read(TypeSerializer<V> serializer, byte[] data) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(data);
        int n = in.readInt();
        List<V> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) values.add(serializer.deserialize(in));
        assertThat(in.available()).as("bytes left after the values").isZero();
        return values;
    }

    protected final TypeSerializerSnapshot<T> snapshot(String name) throws IOException {
        return TypeSerializerSnapshotSerializationUtil.readSerializerSnapshot(
                new DataInputDeserializer(bytes(name, SNAPSHOT_FILE)),
                getClass().getClassLoader());
    }

    protected final byte[] data(String name) {
        return bytes(name, DATA_FILE);
    }

    private String resource(String name, String file) {
        return "/serializer-upgrade/" + type() + "/" + name + "/" + file;
    }

    private byte[] bytes(String name, String file) {
        try (InputStream in = getClass().getResourceAsStream(resource(name, file))) {
            if (in == null) fail("no fixture file " + resource(name, file));
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Shorthand for a list of samples. */
    @SafeVarargs
    protected static <V> List<V> listOf(V... values) {
        return Arrays.asList(values);
    }
}
