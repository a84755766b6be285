package dev.casq.wire;

import dev.casq.core.internal.QueueCounters;
import dev.casq.core.internal.QueueStats;
import java.time.Instant;

/**
 * A queue's statistics ({@code GET /v1/queues/{q}/stats}).
 *
 * @param queue the queue's name
 * @param revision the revision of the state object
 * @param ready jobs ready now
 * @param scheduled jobs waiting for their run time
 * @param leased jobs leased
 * @param pending ready + scheduled + leased
 * @param finishedPendingArchive finished jobs not yet archived
 * @param counters the lifetime counters
 * @param broker the active broker, or null
 * @param updatedAt when the state last changed, or null
 */
public record StatsView(
    String queue,
    long revision,
    long ready,
    long scheduled,
    long leased,
    long pending,
    long finishedPendingArchive,
    Counters counters,
    BrokerView broker,
    Instant updatedAt) {

  /** The view of a queue's statistics. */
  public static StatsView of(String queue, QueueStats s) {
    QueueCounters c = s.counters();
    return new StatsView(
        queue,
        s.revision(),
        s.ready(),
        s.scheduled(),
        s.leased(),
        s.pending(),
        s.finishedPendingArchive(),
        new Counters(
            c.pushed(),
            c.claimed(),
            c.completed(),
            c.failed(),
            c.dead(),
            c.expired(),
            c.cancelled(),
            c.archived()),
        s.broker() == null ? null : BrokerView.of(s.broker()),
        s.updatedAt());
  }

  /**
   * The lifetime counters of a queue.
   *
   * @param pushed jobs created
   * @param claimed leases granted
   * @param completed jobs completed
   * @param failed attempts failed
   * @param dead jobs that ran out of attempts or failed permanently
   * @param expired leases that ran out
   * @param cancelled jobs cancelled
   * @param archived finished jobs moved to archives
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
}
