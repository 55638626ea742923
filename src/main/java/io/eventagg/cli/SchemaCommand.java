package io.eventagg.cli;

import io.eventagg.sink.SchemaManager;
import io.eventagg.sink.SinkSettings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code schema}: creates the tables (idempotent). */
@Command(name = "schema", mixinStandardHelpOptions = true, description = "Create eventagg's tables if they do not exist.")
final class SchemaCommand implements Callable<Integer> {
    @Mixin
    SinkOptions sink;

    @Override
    public Integer call() throws Exception {
        SinkSettings s = sink.resolve();
        int n = SchemaManager.apply(s);
        System.out.printf("applied %d schema statements to %s%n", n, s.url());
        return 0;
    }
}
