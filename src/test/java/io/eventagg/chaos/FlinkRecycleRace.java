package io.eventagg.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Recognizes, in a TaskManager's log, the known Flink 2.2.1 race that makes a TaskManager exit after
 * another one died (docs/operations.md, "Known Flink behaviour"): while a task is cleaned up after
 * the peer's connection was lost, a network buffer is recycled into an input channel that already
 * holds the connection error, {@code BufferManager.recycle} rethrows it, and the Task takes an
 * exception in its exception handler as fatal and shuts the TaskManager down.
 */
final class FlinkRecycleRace {
    private FlinkRecycleRace() {}

    /** The first line of a log entry (conf/flink/log4j.properties: date, time with millis, level, ...). */
    static final Pattern ENTRY = Pattern.compile("^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},\\d{3} .*");

    static final String HANDLER = "FATAL - exception in exception handler of task";
    static final String CAUSE =
            "Caused by: org.apache.flink.runtime.io.network.netty.exception.RemoteTransportException: ";
    /** How Flink's network stack words the loss of the peer (a closed channel, a reset connection). */
    static final List<String> LOST =
            List.of("Connection unexpectedly closed by remote task manager", "Lost connection to task manager");

    static final String RECYCLE = "org.apache.flink.runtime.io.network.partition.consumer.BufferManager.recycle";

    /**
     * Whether a TaskManager's log since the kill of another one (whose resource id is killedId) shows
     * exactly this race as the reason it exited: at least one fatal entry, every entry that says
     * "fatal" (the Task's and TaskExecutor's "FATAL - exception in exception handler of task", the
     * TaskManagerRunner's "Fatal error occurred") has a stack trace through
     * {@code BufferManager.recycle} caused by the RemoteTransportException "Connection unexpectedly
     * closed by remote task manager" or "Lost connection to task manager" naming the killed TaskManager, and one of them is the exception
     * handler's. Returns a one-line description, or null if the log shows no fatal error or any
     * other one.
     */
    static String find(String log, String killedId) {
        List<List<String>> fatal = new ArrayList<>();
        List<String> entry = null;
        for (String l : log.split("\n")) {
            if (ENTRY.matcher(l).matches()) {
                entry = l.toLowerCase(Locale.ROOT).contains("fatal") ? new ArrayList<>() : null;
                if (entry != null) fatal.add(entry);
            }
            if (entry != null) entry.add(l);
        }
        String header = null;
        String cause = null;
        for (List<String> e : fatal) {
            String c = e.stream()
                    .filter(l -> l.startsWith(CAUSE) && LOST.stream().anyMatch(m -> l.startsWith(CAUSE + m)))
                    .findFirst()
                    .orElse(null);
            boolean recycle = e.stream().anyMatch(l -> l.strip().startsWith("at " + RECYCLE + "("));
            if (c == null || !c.contains(killedId) || !recycle) return null;
            if (header == null && e.get(0).contains(HANDLER)) {
                header = e.get(0);
                cause = c;
            }
        }
        if (header == null) return null;
        return header.substring(header.indexOf("FATAL")).replaceAll(" \\(\\w+\\)\\.?\\s*$", "") + " <- "
                + cause.substring("Caused by: ".length());
    }
}
