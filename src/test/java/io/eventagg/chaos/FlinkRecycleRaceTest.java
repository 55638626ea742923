package io.eventagg.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What {@code make chaos} accepts as the known Flink race when a surviving TaskManager exits: the
 * real log of such an exit (chaos/taskmanager-flink-recycle-race.log, from a chaos run on RocksDB)
 * and variants of it that must not pass for it.
 */
class FlinkRecycleRaceTest {
    static final String KILLED = "local-tm2-20261207-132103-22684";

    static String log() throws IOException {
        try (InputStream in = FlinkRecycleRaceTest.class
                .getClassLoader()
                .getResourceAsStream("chaos/taskmanager-flink-recycle-race.log")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theRealExitIsRecognized() throws IOException {
        assertThat(FlinkRecycleRace.find(log(), KILLED))
                .startsWith("FATAL - exception in exception handler of task funnel-onboarding gate")
                .contains("(1/2)#24 <- org.apache.flink.runtime.io.network.netty.exception.RemoteTransportException:"
                        + " Connection unexpectedly closed by remote task manager")
                .contains(KILLED)
                .doesNotContain("5b1bf53a4a1007cf42e042147ce6ebcd");
    }

    @Test
    void aResetConnectionIsTheSameRace() throws IOException {
        // Seen in a later run: the peer's loss reported as a reset connection rather than a closed one.
        String reset = log().replace(
                        "Connection unexpectedly closed by remote task manager", "Lost connection to task manager")
                .replace(
                        "This might indicate that the remote task manager was lost.",
                        "This indicates that the remote task manager was lost.");
        assertThat(FlinkRecycleRace.find(reset, KILLED))
                .contains("RemoteTransportException: Lost connection to task manager")
                .contains(KILLED);
        assertThat(FlinkRecycleRace.find(
                        log().replace("Connection unexpectedly closed by remote task manager", "Some other loss"),
                        KILLED))
                .isNull();
    }

    @Test
    void theLostConnectionMustBeTheKilledTaskManagers() throws IOException {
        assertThat(FlinkRecycleRace.find(log(), "local-tm-20261207-132103-22684"))
                .isNull();
        assertThat(FlinkRecycleRace.find(log(), "local-tm2-20261207-140000-1")).isNull();
    }

    @Test
    void noFatalErrorIsNoRace() throws IOException {
        String quiet = log().lines().filter(l -> l.contains(" INFO ")).reduce("", (a, b) -> a + b + "\n");
        assertThat(quiet).contains("Terminating TaskManagerRunner with exit code 1");
        assertThat(FlinkRecycleRace.find(quiet, KILLED)).isNull();
        assertThat(FlinkRecycleRace.find("", KILLED)).isNull();
    }

    @Test
    void anyOtherFatalErrorIsNotTheRace() throws IOException {
        String oom = log()
                + "2026-12-07 13:22:06,600 ERROR org.apache.flink.runtime.taskexecutor.TaskManagerRunner      []"
                + " - Fatal error occurred while executing the TaskManager. Shutting it down...\n"
                + "java.lang.OutOfMemoryError: Java heap space\n";
        assertThat(FlinkRecycleRace.find(oom, KILLED)).isNull();
    }

    @Test
    void anotherCauseOrPathIsNotTheRace() throws IOException {
        // the exception handler failing for another reason
        assertThat(FlinkRecycleRace.find(
                        log().replace(
                                        "Caused by: org.apache.flink.runtime.io.network.netty.exception.RemoteTransportException",
                                        "Caused by: java.lang.IllegalStateException"),
                        KILLED))
                .isNull();
        // the same error, but not rethrown by BufferManager.recycle
        assertThat(FlinkRecycleRace.find(
                        log().replace(
                                        "partition.consumer.BufferManager.recycle(",
                                        "partition.consumer.RemoteInputChannel.onError("),
                        KILLED))
                .isNull();
        // the TaskManagerRunner's fatal error alone, without the exception handler's
        assertThat(FlinkRecycleRace.find(log().replace(FlinkRecycleRace.HANDLER, "FATAL - something else"), KILLED))
                .isNull();
    }
}
