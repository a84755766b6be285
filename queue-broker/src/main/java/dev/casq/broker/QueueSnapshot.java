package dev.casq.broker;

import dev.casq.core.QueueCounters;
import dev.casq.core.QueueState;
import java.time.Instant;

/**
 * What a served queue held after its engine's last batch: counts and counters only, taken in O(1)
 * on the engine thread by a commit listener, so that {@code /metrics} never has to ask the engine.
 *
 * @param revision the last revision the engine knows landed
 * @param pending live jobs (queued, scheduled or leased)
 * @param finished finished jobs still in the object, waiting to be archived
 * @param counters totals since the queue was created, in {@link #COUNTERS} order
 * @param updatedAt the time of the last commit (null before the first)
 */
record QueueSnapshot(long revision, int pending, int finished, long[] counters, Instant updatedAt) {
  /** The names of {@link #counters}, as on the wire. */
  static final String[] COUNTERS = {
    "pushed", "claimed", "completed", "failed", "dead", "expired", "cancelled", "archived"
  };

  /** Before the queue was first read: nothing known. */
  static final QueueSnapshot NONE = new QueueSnapshot(-1, 0, 0, new long[COUNTERS.length], null);

  /** Called on the engine thread: reads sizes and counters only. */
  static QueueSnapshot of(QueueState s, long committedRevision) {
    QueueCounters c = s.counters();
    long[] counters = {
      c.pushed(), c.claimed(), c.completed(), c.failed(), c.dead(), c.expired(), c.cancelled(),
      c.archived()
    };
    return new QueueSnapshot(committedRevision, s.liveJobs().size(), s.finishedJobs().size(),
        counters, s.updatedAt());
  }

  long counter(int i) {
    return counters[i];
  }
}
