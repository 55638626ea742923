/**
 * How an eventagg job runs, whatever it computes: the Flink settings ({@link
 * io.eventagg.runtime.FlinkSettings}), defining and running a job with progress reports ({@link
 * io.eventagg.runtime.FlinkJob}, {@link io.eventagg.runtime.RunningJob}), its counters ({@link
 * io.eventagg.runtime.Counters}) and summary ({@link io.eventagg.runtime.RunSummary}), and the exit
 * status of the programs that do so ({@link io.eventagg.runtime.ExitCodes}). The CLI, the cluster
 * jobs, the refresh, tests and benchmarks all go through it.
 *
 * <p>A package of its own, in the same layer as {@code pipeline} but independent of it: {@code
 * pipeline} says what the dataflow is, this package where and how a job runs. It runs whatever a
 * function defines on an environment (the eventagg dataflow, a refresh, a benchmark's floor), so
 * neither knows the other, and the dataflow stays free of deployment concerns.
 */
package io.eventagg.runtime;
