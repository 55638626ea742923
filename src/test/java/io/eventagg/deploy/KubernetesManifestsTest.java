package io.eventagg.deploy;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.eventagg.config.ConfigException;
import io.eventagg.config.ConnectionProfile;
import io.eventagg.config.JobDefinition;
import io.eventagg.config.JobLoader;
import io.eventagg.config.RunOptions;
import io.eventagg.ingest.KafkaOptions;
import io.eventagg.ingest.KafkaSettings;
import io.eventagg.jobs.BackfillJob;
import io.eventagg.jobs.StreamingJob;
import io.eventagg.pipeline.JdbcOutputs;
import io.eventagg.refresh.BackfillSource;
import io.eventagg.refresh.BackfillSourceOptions;
import io.eventagg.refresh.RefreshRange;
import io.eventagg.refresh.RefreshRangeOptions;
import io.eventagg.runtime.FlinkJob;
import io.eventagg.runtime.FlinkSettings;
import io.eventagg.sink.SinkOptions;
import io.eventagg.sink.SinkSettings;
import io.eventagg.testing.ClickHouseServer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.NettyShuffleEnvironmentOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.StateBackendLoader;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * The Kubernetes deployment in {@code deploy/kubernetes/}, checked without a cluster: every
 * FlinkDeployment and FlinkSessionJob against the Flink Kubernetes Operator's own CRD schema (from
 * the operator's API jar), and against this project: the entry classes and their arguments (parsed
 * and resolved by the jobs' own code), the job file in the ConfigMap (the job loader), the Flink
 * settings (RocksDB with incremental checkpoints, S3, Kubernetes HA; each one a Flink option whose
 * value parses), the image, and that no secret value is written into a manifest.
 */
class KubernetesManifestsTest {
    private static final Path DIR = ClickHouseServer.projectRoot().resolve("deploy/kubernetes");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String OPERATOR_GROUP = "flink.apache.org";
    private static final Map<String, String> CRDS = Map.of(
            "FlinkDeployment", "META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml",
            "FlinkSessionJob", "META-INF/fabric8/flinksessionjobs.flink.apache.org-v1.yml");
    /**
     * The operator-api release on the test classpath (1.10.0, see pom.xml) predates Flink 2: its
     * FlinkDeployment CRD's {@code flinkVersion} enum ends at v1_20. These values, and only these,
     * are added to that enum here; newer operator releases list them themselves.
     */
    private static final List<String> FLINK_2_VERSIONS = List.of("v2_0", "v2_1", "v2_2");

    private static final String JAR_URI = "local:///opt/flink/usrlib/eventagg-job.jar";
    private static final String MAIN_CONTAINER = "flink-main-container";
    /** Environment variables and settings whose names say they hold a secret. */
    private static final Pattern SECRET_NAME =
            Pattern.compile("(?i).*(password|passwd|secret|access[-_.]?key|token|credential).*");

    @TempDir
    Path tmp;

    record Manifest(Path file, JsonNode node) {
        String kind() {
            return node.path("kind").asText();
        }

        String name() {
            return node.path("metadata").path("name").asText();
        }

        JsonNode spec() {
            return node.path("spec");
        }

        @Override
        public String toString() {
            return DIR.relativize(file) + " (" + kind() + " " + name() + ")";
        }
    }

    // --- the operator's schema ------------------------------------------------------------------

    @Test
    void everyOperatorResourceMatchesItsCrdSchema() throws IOException {
        List<Manifest> resources = manifests().stream()
                .filter(m -> m.node().path("apiVersion").asText().startsWith(OPERATOR_GROUP + "/"))
                .toList();
        assertThat(resources)
                .as("operator resources in %s", DIR)
                .extracting(Manifest::kind)
                .contains("FlinkDeployment");
        for (Manifest m : resources) {
            assertThat(CRDS).as("%s: a kind this test knows the CRD of", m).containsKey(m.kind());
            assertThat(errors(m.node()))
                    .as("%s against the operator's CRD schema", m)
                    .isEmpty();
        }
    }

    @Test
    void theSchemaRejectsWhatTheOperatorWouldReject() throws IOException {
        JsonNode deployment = streamingDeployment().node();
        assertThat(errors(deployment)).isEmpty();
        // Each breakage, and the place the schema must name.
        Map<String, Consumer<ObjectNode>> breakages = new LinkedHashMap<>();
        breakages.put("/spec/job/parallelism: string found", d -> job(d).put("parallelism", "two"));
        breakages.put("/spec/job/upgradeMode: does not have a value", d -> job(d).put("upgradeMode", "sometimes"));
        breakages.put("/spec/flinkVersion: does not have a value", d -> spec(d).put("flinkVersion", "v9_9"));
        breakages.put(
                "/spec/flinkConfiguration/taskmanager.numberOfTaskSlots: integer found",
                d -> ((ObjectNode) spec(d).get("flinkConfiguration")).put("taskmanager.numberOfTaskSlots", 2));
        breakages.put(
                "/spec: property 'jobmanager' is not defined",
                d -> spec(d).set("jobmanager", spec(d).get("jobManager")));
        breakages.put(
                "/spec/jobManager/resource/memory: integer found",
                d -> ((ObjectNode) spec(d).path("jobManager").path("resource")).put("memory", 2048));
        breakages.put(
                "/spec/jobManager/podTemplate/spec/containers/0/env: string found",
                d -> ((ObjectNode) spec(d).path("jobManager")
                                .path("podTemplate")
                                .path("spec")
                                .path("containers")
                                .path(0))
                        .put("env", "CLICKHOUSE_PASSWORD"));
        breakages.forEach((error, breakage) -> {
            ObjectNode broken = deployment.deepCopy();
            breakage.accept(broken);
            assertThat(errors(broken)).as(error).singleElement(as(STRING)).startsWith(error);
        });

        // The FlinkSessionJob schema is loaded and enforced too.
        ObjectNode sessionJob = (ObjectNode) YAML.readTree("""
                apiVersion: flink.apache.org/v1beta1
                kind: FlinkSessionJob
                metadata: {name: example}
                spec:
                  deploymentName: eventagg-session
                  job:
                    jarURI: https://artifacts.example.com/eventagg-job.jar
                    entryClass: io.eventagg.jobs.StreamingJob
                    args: [--job, /opt/eventagg/conf/job.yaml]
                    parallelism: 2
                    upgradeMode: savepoint
                """);
        assertThat(errors(sessionJob)).isEmpty();
        job(sessionJob).put("upgradeMode", "sometimes");
        assertThat(errors(sessionJob))
                .as("a session job with an unknown upgrade mode")
                .singleElement(as(STRING))
                .startsWith("/spec/job/upgradeMode: does not have a value");
    }

    // --- the project ----------------------------------------------------------------------------

    @Test
    void theImageIsThisFlinkVersionWithTheJobJarAndTheS3Plugin() throws IOException {
        String flink = EnvironmentInformation.getVersion();
        String dockerfile = Files.readString(DIR.resolve("Dockerfile"));
        assertThat(instruction(dockerfile, "FROM")).isEqualTo("flink:" + flink + "-java17");
        assertThat(instruction(dockerfile, "COPY"))
                .endsWith("target/eventagg-job.jar " + URI.create(JAR_URI).getPath());
        // The S3 file system is a plugin, enabled by the image's entrypoint from opt/.
        assertThat(instruction(dockerfile, "ENV"))
                .matches("ENABLE_BUILT_IN_PLUGINS=(.*;)?flink-s3-fs-(presto|hadoop)-" + Pattern.quote(flink)
                        + "\\.jar(;.*)?");
        String flinkVersion = "v" + flink.replaceAll("^(\\d+)\\.(\\d+).*", "$1_$2");
        for (Manifest m : manifests("FlinkDeployment")) {
            assertThat(m.spec().path("flinkVersion").asText())
                    .as("%s: flinkVersion", m)
                    .isEqualTo(flinkVersion);
            assertThat(m.spec().path("image").asText()).as("%s: image", m).isNotBlank();
        }
    }

    @Test
    void theStreamingDeploymentKeepsRocksDbStateWithIncrementalCheckpointsOnS3AndIsHighlyAvailable() throws Exception {
        Manifest m = streamingDeployment();
        Configuration c = flinkConfiguration(m);
        StateBackend backend = StateBackendLoader.loadStateBackendFromConfig(
                c, getClass().getClassLoader(), LoggerFactory.getLogger(getClass()));
        assertThat(backend).isInstanceOf(EmbeddedRocksDBStateBackend.class);
        assertThat(((EmbeddedRocksDBStateBackend) backend).isIncrementalCheckpointsEnabled())
                .isTrue();
        assertThat(c.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isPositive();
        assertThat(c.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).startsWith("s3://");
        assertThat(c.get(CheckpointingOptions.SAVEPOINT_DIRECTORY)).startsWith("s3://");
        assertThat(c.get(HighAvailabilityOptions.HA_MODE)).isEqualTo("kubernetes");
        assertThat(c.get(HighAvailabilityOptions.HA_STORAGE_PATH)).startsWith("s3://");
        assertThat(c.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
        // S3-compatible storage: endpoint and path-style access are settings (MinIO and the like).
        assertThat(c.toMap()).containsKeys("s3.endpoint", "s3.path.style.access");
        assertThat(c.toMap().get("s3.path.style.access")).isIn("true", "false");

        JsonNode job = m.spec().path("job");
        assertThat(job.path("upgradeMode").asText()).isEqualTo("savepoint");
        assertThat(job.path("parallelism").asInt())
                .as("rescaling keeps state only up to the max parallelism")
                .isBetween(1, c.get(PipelineOptions.MAX_PARALLELISM));
        assertThat(m.spec().path("jobManager").path("resource").path("memory").asText())
                .isNotBlank();
        assertThat(m.spec().path("taskManager").path("resource").path("memory").asText())
                .isNotBlank();
    }

    @Test
    void everyFlinkSettingIsAnOptionOfThisFlinkVersionAndItsValueParses() throws Exception {
        Map<String, ConfigOption<?>> options = new HashMap<>();
        Map<String, String> deprecated = new HashMap<>();
        for (Class<?> holder : List.of(
                CheckpointingOptions.class,
                CoreOptions.class,
                ExecutionOptions.class,
                HighAvailabilityOptions.class,
                JobManagerOptions.class,
                NettyShuffleEnvironmentOptions.class,
                PipelineOptions.class,
                RestartStrategyOptions.class,
                StateBackendOptions.class,
                StateRecoveryOptions.class,
                TaskManagerOptions.class,
                RocksDBOptions.class,
                RocksDBConfigurableOptions.class)) {
            for (Field f : holder.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                    ConfigOption<?> o = (ConfigOption<?>) f.get(null);
                    options.put(o.key(), o);
                    for (FallbackKey k : o.fallbackKeys()) deprecated.putIfAbsent(k.getKey(), o.key());
                }
            }
        }
        for (Manifest m : manifests("FlinkDeployment")) {
            Configuration c = flinkConfiguration(m);
            for (String key : new TreeSet<>(c.keySet())) {
                // Settings of the S3 file system plugin and of the operator: not on this classpath.
                if (key.startsWith("s3.") || key.startsWith("kubernetes.")) continue;
                ConfigOption<?> option = options.get(key);
                assertThat(option)
                        .as(
                                "%s: %s is not a Flink %s option%s",
                                m,
                                key,
                                EnvironmentInformation.getVersion(),
                                deprecated.containsKey(key) ? " (an old name of " + deprecated.get(key) + ")" : "")
                        .isNotNull();
                c.get(option); // throws when the value does not parse
            }
        }
    }

    @Test
    void theJobsAcceptTheirArgumentsAndReadTheirFilesFromTheConfigMap() throws Exception {
        List<String> entryClasses = new ArrayList<>();
        List<Manifest> withJobs = new ArrayList<>(manifests("FlinkDeployment"));
        withJobs.addAll(manifests("FlinkSessionJob"));
        for (Manifest m : withJobs) {
            JsonNode job = m.spec().path("job");
            if (job.isMissingNode()) continue; // a session cluster
            String entry = job.path("entryClass").asText();
            entryClasses.add(entry);
            if (m.kind().equals("FlinkDeployment"))
                assertThat(job.path("jarURI").asText()).isEqualTo(JAR_URI);
            Method main = Class.forName(entry).getMethod("main", String[].class);
            assertThat(Modifier.isStatic(main.getModifiers()))
                    .as("%s: %s.main", m, entry)
                    .isTrue();

            String[] args = argsWithMountedFiles(m);
            CommandLine cl = new CommandLine(
                    Class.forName(entry).getDeclaredConstructor().newInstance());
            ParseResult parsed = cl.parseArgs(args); // unknown or malformed flags throw here
            Map<String, Object> mixins = cl.getMixins();
            SinkSettings sink = sinkWithoutPassword(m, parsed, (SinkOptions) mixins.get("sink"));
            assertThat(sink.url()).as("%s: the sink", m).startsWith("jdbc:clickhouse:");

            if (entry.equals(StreamingJob.class.getName())) {
                JobDefinition definition = JobLoader.load(parsed.matchedOptionValue("--job", null));
                KafkaSettings kafka = ((KafkaOptions) mixins.get("kafka")).resolve(definition.name());
                assertThat(kafka.bootstrapServers()).as("%s: Kafka", m).isNotEqualTo(KafkaSettings.LOCAL_BOOTSTRAP);
                assertThat(kafka.topics()).as("%s: topics", m).isNotEmpty();
                buildStreamingDataflow(m, parsed, definition, kafka, sink);
            } else if (entry.equals(BackfillJob.class.getName())) {
                RefreshRangeOptions rangeOptions = (RefreshRangeOptions) mixins.get("range");
                JobDefinition definition = rangeOptions.job();
                RefreshRange range = rangeOptions.range(definition);
                assertThat(range).isNotNull();
                BackfillSourceOptions sourceOptions = (BackfillSourceOptions) mixins.get("source");
                BackfillSource source = sourceOptions.resolve(definition.name(), sink);
                assertThat(source.describe()).as("%s: the source", m).startsWith("Kafka");
                assertThat(sourceOptions.kafka.resolve(definition.name()).groupId())
                        .as("%s: a consumer group apart from the streaming job's", m)
                        .isNotEqualTo("eventagg-" + definition.name());
            } else {
                throw new AssertionError(m + ": an entry class this test does not know: " + entry);
            }
        }
        assertThat(entryClasses)
                .as("the streaming job and a backfill")
                .contains(StreamingJob.class.getName(), BackfillJob.class.getName());
        assertThat(entryClasses.stream().filter(StreamingJob.class.getName()::equals))
                .as("one streaming deployment")
                .hasSize(1);
    }

    @Test
    void noSecretValueIsWrittenIntoAManifest() throws IOException {
        Map<String, Set<String>> exampleSecrets = new TreeMap<>();
        List<String> inline = new ArrayList<>();
        for (Manifest m : manifests()) {
            switch (m.kind()) {
                case "Secret" -> {
                    assertThat(m.node().has("data"))
                            .as("%s: example secrets hold placeholders in stringData, never data", m)
                            .isFalse();
                    m.node().path("stringData").fields().forEachRemaining(e -> {
                        assertThat(e.getValue().asText())
                                .as("%s: %s is a placeholder", m, e.getKey())
                                .matches("<CHANGE-ME[^>]*>");
                        exampleSecrets
                                .computeIfAbsent(m.name(), k -> new TreeSet<>())
                                .add(e.getKey());
                    });
                }
                case "ConfigMap" ->
                    m.node().path("data").fields().forEachRemaining(e -> {
                        Matcher secretKey = Pattern.compile(
                                        "(?im)^\\s*(\\S*(password|secret|access[-_]?key|token)\\S*)\\s*:")
                                .matcher(e.getValue().asText());
                        while (secretKey.find()) {
                            if (!secretKey.group(1).matches("password_(env|file)"))
                                inline.add(m + ": " + e.getKey() + " sets " + secretKey.group(1));
                        }
                    });
                default -> {
                    m.spec().path("flinkConfiguration").fieldNames().forEachRemaining(k -> {
                        if (SECRET_NAME.matcher(k).matches()) inline.add(m + ": flinkConfiguration " + k);
                    });
                    for (JsonNode env : envEntries(m.node())) {
                        String name = env.path("name").asText();
                        if (env.has("value") && SECRET_NAME.matcher(name).matches())
                            inline.add(m + ": env " + name + " has a value");
                    }
                }
            }
        }
        assertThat(inline).as("secret values written into manifests").isEmpty();
        assertThat(exampleSecrets).as("example Secrets").isNotEmpty();

        // Every secret the deployments read is one of the documented example Secrets.
        for (Manifest m : manifests("FlinkDeployment")) {
            for (JsonNode env : envEntries(m.node())) {
                JsonNode ref = env.path("valueFrom").path("secretKeyRef");
                if (ref.isMissingNode()) continue;
                assertThat(exampleSecrets.getOrDefault(ref.path("name").asText(), Set.of()))
                        .as("%s: env %s reads secret %s key %s", m, env.path("name"), ref.path("name"), ref.path("key"))
                        .contains(ref.path("key").asText());
            }
        }
    }

    // --- the job's side -------------------------------------------------------------------------

    /**
     * The sink the job would write to, resolved by the job's own rules, except the password: that
     * comes from a Secret only in the pod. Checks that the password flag names an environment
     * variable the JobManager gets from a Secret, and that the job's own resolution asks for it.
     */
    private static SinkSettings sinkWithoutPassword(Manifest m, ParseResult parsed, SinkOptions options) {
        assertThat(parsed.hasMatchedOption("--sink-password-file"))
                .as("%s: the password comes from a Secret as an environment variable", m)
                .isFalse();
        String passwordEnv = parsed.matchedOptionValue("--sink-password-env", null);
        assertThat(passwordEnv).as("%s: --sink-password-env", m).isNotNull();
        assertThat(secretEnv(m.spec().path("jobManager")))
                .as("%s: the JobManager's variables from Secrets", m)
                .contains(passwordEnv);
        if (System.getenv(passwordEnv) == null) {
            assertThatThrownBy(options::resolve)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("environment variable " + passwordEnv + " is not set");
        }
        Map<String, String> properties = parsed.matchedOptionValue("--sink-property", Map.of());
        return SinkSettings.of(ConnectionProfile.resolve(new ConnectionProfile.Flags(
                parsed.matchedOptionValue("--sink", null),
                parsed.matchedOptionValue("--profile", null),
                parsed.matchedOptionValue("--sink-user", null),
                null,
                null,
                properties)));
    }

    /**
     * Builds the streaming job's whole dataflow as its main method does, with the deployment's Flink
     * settings as the cluster's configuration and the job's own on top (nothing is submitted).
     */
    private static void buildStreamingDataflow(
            Manifest m, ParseResult parsed, JobDefinition job, KafkaSettings kafka, SinkSettings sink) {
        Configuration flink = flinkConfiguration(m);
        flink.set(
                CoreOptions.DEFAULT_PARALLELISM,
                m.spec().path("job").path("parallelism").asInt());
        flink.addAll(FlinkSettings.cluster(
                true,
                parsed.matchedOptionValue("--flink-conf", null),
                null,
                parsed.matchedOptionValue("--flink-option", Map.of()),
                parsed.matchedOptionValue("--parallelism", null)));
        FlinkJob.define(flink, "eventagg streaming " + job.name(), env -> {
            FlinkSettings.applyStreamingDefaults(env);
            StreamingJob.define(env, job, kafka, RunOptions.streamingDefaults(), new JdbcOutputs(job.name(), sink));
        });
    }

    /**
     * The job's arguments, with every path under a ConfigMap mounted into the JobManager replaced by
     * that ConfigMap's file written here. An absolute path that no ConfigMap provides is an error.
     */
    private String[] argsWithMountedFiles(Manifest m) throws IOException {
        Map<String, Path> mounts = new LinkedHashMap<>();
        JsonNode pod = m.spec().path("jobManager").path("podTemplate").path("spec");
        for (JsonNode container : pod.path("containers")) {
            if (!container.path("name").asText().equals(MAIN_CONTAINER)) continue;
            for (JsonNode mount : container.path("volumeMounts")) {
                for (JsonNode volume : pod.path("volumes")) {
                    if (!volume.path("name").asText().equals(mount.path("name").asText())) continue;
                    String configMap = volume.path("configMap").path("name").asText(null);
                    if (configMap == null) continue;
                    Manifest cm = manifests("ConfigMap").stream()
                            .filter(c -> c.name().equals(configMap))
                            .findFirst()
                            .orElseThrow(() -> new AssertionError(m + ": no ConfigMap " + configMap + " in " + DIR));
                    Path dir = Files.createDirectories(tmp.resolve(m.name()).resolve(configMap));
                    for (var it = cm.node().path("data").fields(); it.hasNext(); ) {
                        var e = it.next();
                        Files.writeString(dir.resolve(e.getKey()), e.getValue().asText());
                    }
                    mounts.put(mount.path("mountPath").asText(), dir);
                }
            }
        }
        List<String> args = new ArrayList<>();
        for (JsonNode a : m.spec().path("job").path("args")) {
            String arg = a.asText();
            for (var mount : mounts.entrySet()) {
                if (arg.startsWith(mount.getKey() + "/"))
                    arg = mount.getValue() + arg.substring(mount.getKey().length());
            }
            assertThat(arg.startsWith("/") && !arg.startsWith(tmp.toString()))
                    .as("%s: %s is in no ConfigMap mounted into the JobManager", m, arg)
                    .isFalse();
            args.add(arg);
        }
        return args.toArray(String[]::new);
    }

    // --- manifests ------------------------------------------------------------------------------

    private static List<Manifest> manifests() throws IOException {
        List<Manifest> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path f : files.filter(p -> p.toString().matches(".*\\.ya?ml"))
                    .sorted()
                    .toList()) {
                try (var docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(f.toFile())) {
                    while (docs.hasNext()) {
                        JsonNode doc = docs.next();
                        if (doc != null && !doc.isNull() && !doc.isMissingNode()) out.add(new Manifest(f, doc));
                    }
                }
            }
        }
        return out;
    }

    private static List<Manifest> manifests(String kind) throws IOException {
        return manifests().stream().filter(m -> m.kind().equals(kind)).toList();
    }

    private static Manifest streamingDeployment() throws IOException {
        return manifests("FlinkDeployment").stream()
                .filter(m -> m.spec().path("job").path("entryClass").asText().equals(StreamingJob.class.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no FlinkDeployment of the streaming job in " + DIR));
    }

    private static Configuration flinkConfiguration(Manifest m) {
        Map<String, String> settings = new LinkedHashMap<>();
        m.spec()
                .path("flinkConfiguration")
                .fields()
                .forEachRemaining(e -> settings.put(e.getKey(), e.getValue().asText()));
        return Configuration.fromMap(settings);
    }

    /** The names of a pod spec holder's (jobManager, taskManager) variables set from Secrets. */
    private static Set<String> secretEnv(JsonNode holder) {
        Set<String> names = new TreeSet<>();
        for (JsonNode env : envEntries(holder)) {
            if (!env.path("valueFrom").path("secretKeyRef").isMissingNode())
                names.add(env.path("name").asText());
        }
        return names;
    }

    /** Every {@code env} entry of every container below {@code node}. */
    private static List<JsonNode> envEntries(JsonNode node) {
        List<JsonNode> out = new ArrayList<>();
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (e.getKey().equals("env") && e.getValue().isArray())
                    e.getValue().forEach(out::add);
                else out.addAll(envEntries(e.getValue()));
            });
        } else if (node.isArray()) {
            node.forEach(n -> out.addAll(envEntries(n)));
        }
        return out;
    }

    private static ObjectNode spec(ObjectNode resource) {
        return (ObjectNode) resource.get("spec");
    }

    private static ObjectNode job(ObjectNode resource) {
        return (ObjectNode) spec(resource).get("job");
    }

    /** The argument of a Dockerfile's only instruction of that name. */
    private static String instruction(String dockerfile, String name) {
        List<String> found = dockerfile
                .lines()
                .filter(l -> l.startsWith(name + " "))
                .map(l -> l.substring(name.length() + 1).trim())
                .toList();
        assertThat(found).as("%s instructions in the Dockerfile", name).hasSize(1);
        return found.get(0).replaceFirst("^--chown=\\S+\\s+", "");
    }

    // --- the operator's CRD schemas -------------------------------------------------------------

    private static final Map<String, Schema> SCHEMAS = new HashMap<>();

    /** The schema errors of an operator resource (empty: valid). */
    private static List<String> errors(JsonNode resource) {
        String apiVersion = resource.path("apiVersion").asText();
        assertThat(apiVersion).startsWith(OPERATOR_GROUP + "/");
        String kind = resource.path("kind").asText();
        String version = apiVersion.substring(OPERATOR_GROUP.length() + 1);
        Schema schema = SCHEMAS.computeIfAbsent(kind + "/" + version, k -> schema(kind, version));
        return schema.validate(resource).stream().map(Object::toString).toList();
    }

    /**
     * The CRD's {@code openAPIV3Schema} for the kind and version, read from the operator's API jar,
     * made to check what the Kubernetes API server checks beyond it: apiVersion, kind and metadata
     * (which the CRD leaves out), and unknown fields, which kubectl's strict field validation (its
     * default) rejects. Objects that list their properties therefore admit no others.
     */
    private static Schema schema(String kind, String version) {
        String resource = CRDS.get(kind);
        assertThat(resource).as("a CRD for %s", kind).isNotNull();
        JsonNode crd;
        try (InputStream in = KubernetesManifestsTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in)
                    .as("%s on the test classpath (flink-kubernetes-operator-api)", resource)
                    .isNotNull();
            crd = YAML.readTree(in);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + resource, e);
        }
        ObjectNode schema = null;
        for (JsonNode v : crd.path("spec").path("versions")) {
            if (v.path("name").asText().equals(version))
                schema = v.path("schema").path("openAPIV3Schema").deepCopy();
        }
        assertThat(schema).as("%s version %s in %s", kind, version, resource).isNotNull();

        ObjectNode properties = (ObjectNode) schema.get("properties");
        properties.putObject("apiVersion").put("type", "string");
        properties.putObject("kind").put("type", "string");
        ObjectNode metadata = properties.putObject("metadata").put("type", "object");
        metadata.putArray("required").add("name");
        ObjectNode metadataFields = metadata.putObject("properties");
        metadataFields.putObject("name").put("type", "string");
        metadataFields.putObject("namespace").put("type", "string");
        for (String map : List.of("labels", "annotations")) {
            metadataFields
                    .putObject(map)
                    .put("type", "object")
                    .putObject("additionalProperties")
                    .put("type", "string");
        }
        schema.putArray("required").add("apiVersion").add("kind").add("metadata");

        JsonNode flinkVersion = properties.path("spec").path("properties").path("flinkVersion");
        if (flinkVersion.path("enum").isArray()) {
            ArrayNode values = (ArrayNode) flinkVersion.get("enum");
            for (String v : FLINK_2_VERSIONS) {
                boolean listed = false;
                for (JsonNode e : values) listed |= e.asText().equals(v);
                if (!listed) values.add(v);
            }
        }
        closeObjects(schema);
        return SchemaRegistry.withDefaultDialect(Dialects.getOpenApi30()).getSchema(schema);
    }

    /** Sets {@code additionalProperties: false} on every object schema that lists its properties. */
    private static void closeObjects(JsonNode schema) {
        if (!(schema instanceof ObjectNode s)) return;
        if (s.has("properties")) {
            if (!s.has("additionalProperties")
                    && !s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                s.put("additionalProperties", false);
            }
            s.get("properties").forEach(KubernetesManifestsTest::closeObjects);
        }
        closeObjects(s.path("items"));
        closeObjects(s.path("additionalProperties"));
        for (String combinator : List.of("allOf", "anyOf", "oneOf"))
            s.path(combinator).forEach(KubernetesManifestsTest::closeObjects);
    }
}
