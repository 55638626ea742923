package io.eventagg.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads and validates a job definition file; every problem becomes a {@link ConfigException}. */
public final class JobLoader {
    /** Duplicate keys are an error: by default the last one would silently replace the first. */
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build());

    private JobLoader() {}

    public static JobDefinition load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("--job", "file not found: " + file);
        } catch (IOException e) {
            throw new ConfigException("--job", "cannot read " + file + ": " + e.getMessage());
        }
        try {
            return parse(text);
        } catch (ConfigException e) {
            boolean fileWide = e.field() == null || e.field().isEmpty();
            throw new ConfigException(
                    fileWide ? file.toString() : file + ": " + e.field(),
                    e.getMessage().substring(fileWide ? 0 : e.field().length() + 2));
        }
    }

    public static JobDefinition parse(String yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            String where =
                    e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new ConfigException("", "not valid YAML" + where + ": " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ConfigException("", "the job file is empty");
        }
        return JobDefinition.parse(new ConfigNode(root, ""));
    }
}
