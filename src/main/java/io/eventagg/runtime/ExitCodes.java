package io.eventagg.runtime;

import io.eventagg.config.ConfigException;
import io.eventagg.config.Redact;
import java.util.List;
import org.slf4j.Logger;
import picocli.CommandLine;

/**
 * How every eventagg program ends, for picocli: {@value #OK} when it worked; {@value #CONFIGURATION}
 * for a configuration or usage problem (picocli's own usage errors, a {@link ConfigException}
 * anywhere in the cause chain, or one of the program's own usage exceptions), with the message that
 * names the field; {@value #FAILURE} for any other failure, with a one-line message. Messages go to
 * standard error with passwords in URLs masked ({@link Redact#url}); the stack trace goes to the
 * program's log if it has one, and to standard error with {@code EVENTAGG_DEBUG} set. Shared by the
 * CLI and the cluster jobs, which must not depend on each other.
 */
public final class ExitCodes implements CommandLine.IExecutionExceptionHandler {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int CONFIGURATION = 2;

    private final Logger failures;
    private final List<Class<? extends Exception>> usageErrors;

    private ExitCodes(Logger failures, List<Class<? extends Exception>> usageErrors) {
        this.failures = failures;
        this.usageErrors = usageErrors;
    }

    /**
     * Runs {@code command} with {@code args}, mapping failures to exit codes.
     *
     * @param failures where the stack trace of a failure is logged (null: nowhere, e.g. for the CLI,
     *     whose log is its console)
     * @param usageErrors exception types that count as configuration problems too
     */
    @SafeVarargs
    public static int execute(
            Object command, String[] args, Logger failures, Class<? extends Exception>... usageErrors) {
        return new CommandLine(command)
                .setExecutionExceptionHandler(new ExitCodes(failures, List.of(usageErrors)))
                .execute(args);
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (isUsageError(t)) {
                cmd.getErr().println("error: " + Redact.url(t.getMessage()));
                return CONFIGURATION;
            }
        }
        cmd.getErr().println("error: " + Redact.url(describe(e)));
        if (failures != null) failures.error("{} failed", cmd.getCommandName(), e);
        if (System.getenv("EVENTAGG_DEBUG") != null) e.printStackTrace(cmd.getErr());
        return FAILURE;
    }

    private boolean isUsageError(Throwable t) {
        return t instanceof ConfigException || usageErrors.stream().anyMatch(c -> c.isInstance(t));
    }

    /**
     * One line for a failure: its message and, when a cause deeper down says something it does not
     * (a job's failure wraps the real problem), the deepest such message and its type.
     */
    static String describe(Throwable e) {
        String top = e.getMessage() == null ? e.toString() : e.getMessage();
        Throwable deepest = null;
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t.getMessage() != null) deepest = t;
        }
        if (deepest == null || top.contains(deepest.getMessage())) return top;
        return top + ": " + deepest.getMessage() + " (" + deepest.getClass().getSimpleName() + ")";
    }
}
