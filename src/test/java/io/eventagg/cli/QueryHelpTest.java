package io.eventagg.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every optional flag of the query commands says in its help what happens without it, and a
 * {@code ${DEFAULT-VALUE}} in a help text always has a value behind it (never "default: null").
 * The connection flags ({@link SinkOptions}) are shared with {@code run} and checked there.
 */
class QueryHelpTest {
    @Test
    void optionalFlagsStateTheirDefault() {
        CommandLine query = new CommandLine(new Main()).getSubcommands().get("query");
        for (String name : List.of("timeseries", "funnel", "retention")) {
            CommandSpec spec = query.getSubcommands().get(name).getCommandSpec();
            for (OptionSpec o : spec.options()) {
                if (o.usageHelp() || o.versionHelp() || declaredIn(o, SinkOptions.class)) continue;
                String help = String.join(" ", o.description());
                if (help.contains("${DEFAULT-VALUE}")) {
                    assertThat(o.defaultValue()).as(name + " " + o.longestName()).isNotNull();
                } else if (!o.required()) {
                    assertThat(help).as(name + " " + o.longestName()).contains("default: ");
                }
            }
        }
    }

    private static boolean declaredIn(OptionSpec o, Class<?> type) {
        return o.userObject() instanceof Field f && f.getDeclaringClass() == type;
    }
}
