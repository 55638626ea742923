package io.eventagg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.eventagg.jobs.BackfillJob;
import io.eventagg.jobs.StreamingJob;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every optional flag of every command (the CLI's and the cluster jobs') says in its help what happens without it, and a {@code
 * ${DEFAULT-VALUE}} in a help text always has a value behind it (never "default: null"). Flags
 * that take no value are off unless given.
 */
class HelpDefaultsTest {
    @Test
    void optionalFlagsStateTheirDefault() {
        List<String> missing = new ArrayList<>();
        check(new CommandLine(new Main()), missing);
        check(new CommandLine(new StreamingJob()), missing);
        check(new CommandLine(new BackfillJob()), missing);
        assertThat(missing).as("options whose help does not say their default").isEmpty();
    }

    private static void check(CommandLine command, List<String> missing) {
        CommandSpec spec = command.getCommandSpec();
        for (OptionSpec o : spec.options()) {
            if (o.usageHelp() || o.versionHelp() || o.required() || o.arity().max() == 0) continue;
            String help = String.join(" ", o.description());
            String where = spec.qualifiedName() + " " + o.longestName();
            if (help.contains("${DEFAULT-VALUE}") ? o.defaultValue() == null : !help.contains("default: "))
                missing.add(where);
        }
        for (CommandLine sub : command.getSubcommands().values()) check(sub, missing);
    }
}
