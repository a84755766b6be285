package dev.casq.core.internal;

import java.time.Instant;

/**
 * The engine's summary of a queue at one revision (with the idempotency keys it remembers); {@link
 * #toApi()} is what {@link dev.casq.api.Queue#stats()} reports.
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

  /**
   * The summary as {@link dev.casq.api.Queue#stats()} reports it, for an embedded queue and a
   * broker's alike.
   *
   * @return the API's summary
   */
  public dev.casq.api.QueueStats toApi() {
    QueueCounters c = counters;
    BrokerRecord b = broker;
    return new dev.casq.api.QueueStats(
        revision,
        ready,
        scheduled,
        leased,
        finishedPendingArchive,
        new dev.casq.api.QueueStats.Counters(
            c.pushed(),
            c.claimed(),
            c.completed(),
            c.failed(),
            c.dead(),
            c.expired(),
            c.cancelled(),
            c.archived()),
        b == null
            ? null
            : new dev.casq.api.QueueStats.Broker(b.id(), b.address(), b.epoch(), b.heartbeatAt()),
        updatedAt);
  }
}
