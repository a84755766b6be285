package dev.casq.broker;

import dev.casq.core.internal.EngineMetrics;
import dev.casq.core.internal.QueueTally;
import java.time.Instant;

/**
 * What a queue's engine had published at one moment, read without sending it a command: the queue's
 * totals as of its last commit, its counts after its last batch, and the engine's own cumulative
 * commit figures. Two samples in a row make one point of the dashboard's charts.
 *
 * @param at when the sample was taken
 * @param pushed jobs pushed since the queue object was created
 * @param claimed claims since then
 * @param completed jobs completed since then
 * @param failed failures reported since then
 * @param ready queued jobs that are due
 * @param scheduled queued jobs waiting for their run-at
 * @param leased jobs held by workers
 * @param dead dead jobs still in the queue object
 * @param oldestReadyAgeMillis how long the oldest ready job has been claimable (0: none ready)
 * @param commits writes of the queue object by this engine
 * @param commands commands carried by those writes
 * @param writeNanos time spent in those writes
 */
record QueueSample(
    Instant at,
    long pushed,
    long claimed,
    long completed,
    long failed,
    int ready,
    int scheduled,
    int leased,
    int dead,
    long oldestReadyAgeMillis,
    long commits,
    long commands,
    long writeNanos) {

  /** Reads what {@code m} published; never blocks and never asks the engine. */
  static QueueSample of(EngineMetrics m, Instant now) {
    QueueTally done = m.committed();
    QueueTally counts = m.latest();
    return new QueueSample(
        now,
        done.pushed(),
        done.claimed(),
        done.completed(),
        done.failed(),
        counts.ready(),
        counts.scheduled(),
        counts.leased(),
        counts.dead(),
        counts.oldestReadyAge(now).toMillis(),
        m.commits(),
        m.commands(),
        m.writeNanos());
  }
}
