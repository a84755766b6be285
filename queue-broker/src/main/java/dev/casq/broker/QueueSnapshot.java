package dev.casq.broker;

import dev.casq.core.internal.QueueCounters;
import dev.casq.core.internal.QueueState;
import java.time.Instant;

/**
 * What a served queue held after its engine's last batch: counts and counters only, taken in O(1)
 * on the engine thread by a commit listener, so that {@code /metrics} never has to ask the engine.
 *
 * @param revision the last revision the engine knows landed
 * @param ready queued jobs that are due
 * @param scheduled queued jobs waiting for their run-at
 * @param leased jobs held by workers
 * @param finished finished jobs still in the object, waiting to be archived
 * @param counters totals since the queue was created, in {@link #COUNTERS} order
 * @param updatedAt the time of the last commit (null before the first)
 */
record QueueSnapshot(
    long revision,
    int ready,
    int scheduled,
    int leased,
    int finished,
    long[] counters,
    Instant updatedAt) {
  /** The names of {@link #counters}, as on the wire. */
  static final String[] COUNTERS = {
    "pushed", "claimed", "completed", "failed", "dead", "expired", "cancelled", "archived"
  };

  /** Before the queue was first read: nothing known. */
  static final QueueSnapshot NONE =
      new QueueSnapshot(-1, 0, 0, 0, 0, new long[COUNTERS.length], null);

  /** Called on the engine thread: reads sizes and counters only. */
  static QueueSnapshot of(QueueState s, long committedRevision) {
    QueueCounters c = s.counters();
    long[] counters = {
      c.pushed(),
      c.claimed(),
      c.completed(),
      c.failed(),
      c.dead(),
      c.expired(),
      c.cancelled(),
      c.archived()
    };
    return new QueueSnapshot(
        committedRevision,
        s.readyCount(),
        s.scheduledCount(),
        s.leasedCount(),
        s.finishedJobs().size(),
        counters,
        s.updatedAt());
  }

  /** Live jobs: ready, scheduled or leased. */
  int pending() {
    return ready + scheduled + leased;
  }

  long counter(int i) {
    return counters[i];
  }
}
