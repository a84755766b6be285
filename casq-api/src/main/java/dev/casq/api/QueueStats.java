package dev.casq.api;

import java.time.Instant;

/**
 * A summary of a queue at one revision, the same for an embedded queue and a broker's.
 *
 * @param revision the state revision it was taken at
 * @param ready queued jobs that can be claimed now
 * @param scheduled queued jobs waiting for their run-at time (delayed or backing off)
 * @param leased jobs held by workers
 * @param finishedPendingArchive finished jobs still in the hot object
 * @param counters totals since the queue was created
 * @param broker the broker the queue object names, or null when none serves it
 * @param updatedAt the time of the last commit, or null
 */
public record QueueStats(
    long revision,
    long ready,
    long scheduled,
    long leased,
    long finishedPendingArchive,
    Counters counters,
    Broker broker,
    Instant updatedAt) {

  /**
   * Jobs not yet finished.
   *
   * @return ready + scheduled + leased
   */
  public long pending() {
    return ready + scheduled + leased;
  }

  /**
   * Totals since the queue object was created.
   *
   * @param pushed jobs pushed (a duplicate push with a remembered key not counted)
   * @param claimed claims of a job by a worker (each attempt counts)
   * @param completed jobs completed
   * @param failed failures reported by workers (each retried or dead)
   * @param dead jobs that went dead: out of attempts, or failed permanently
   * @param expired leases that expired and were released
   * @param cancelled jobs cancelled
   * @param archived finished jobs moved to archive objects
   */
  public record Counters(
      long pushed,
      long claimed,
      long completed,
      long failed,
      long dead,
      long expired,
      long cancelled,
      long archived) {}

  /**
   * The broker recorded in the queue object.
   *
   * @param id the broker's id
   * @param address where it listens
   * @param epoch increases with every takeover
   * @param heartbeatAt the last time the broker refreshed the record
   */
  public record Broker(String id, String address, long epoch, Instant heartbeatAt) {}
}
