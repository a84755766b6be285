package dev.casq.core;

import java.time.Instant;

/**
 * A summary of a queue at one revision.
 *
 * @param revision the state revision it was taken at
 * @param ready queued jobs that can be claimed now
 * @param scheduled queued jobs waiting for their run-at time (delayed or backing off)
 * @param leased jobs held by workers
 * @param finishedPendingArchive finished jobs still in the hot object
 * @param rememberedKeys idempotency keys of finished jobs still remembered
 * @param counters totals since the queue was created
 * @param broker the recorded broker, or null
 * @param updatedAt time of the last commit
 */
public record QueueStats(
    long revision,
    int ready,
    int scheduled,
    int leased,
    int finishedPendingArchive,
    int rememberedKeys,
    QueueCounters counters,
    BrokerRecord broker,
    Instant updatedAt) {

  /** Jobs not yet finished. */
  public int pending() {
    return ready + scheduled + leased;
  }
}
