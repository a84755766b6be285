package dev.casq.client;

import dev.casq.core.BrokerRecord;
import java.time.Instant;

/**
 * A summary of a queue as its broker reports it.
 *
 * @param queue the queue name
 * @param revision the state revision it was taken at
 * @param ready queued jobs that can be claimed now
 * @param scheduled queued jobs waiting for their run-at time
 * @param leased jobs held by workers
 * @param pending jobs not yet finished (ready + scheduled + leased)
 * @param finishedPendingArchive finished jobs still in the hot object
 * @param counters totals since the queue was created
 * @param broker the broker recorded in the queue object, or null
 * @param updatedAt the time of the last commit, or null
 */
public record RemoteStats(
    String queue,
    long revision,
    long ready,
    long scheduled,
    long leased,
    long pending,
    long finishedPendingArchive,
    Counters counters,
    BrokerRecord broker,
    Instant updatedAt) {

  /** Totals since the queue object was created. */
  public record Counters(
      long pushed, long claimed, long completed, long failed, long dead, long expired,
      long cancelled, long archived) {}
}
