package dev.casq.core.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.TreeSet;

/**
 * What a queue holds and has done, taken from its state on the engine thread in O(segments +
 * priorities + finished jobs awaiting archive), for meters that must never ask the engine.
 *
 * @param revision the revision of the state it was taken from
 * @param ready queued jobs that are due (in the head and in segments)
 * @param scheduled queued jobs waiting for their run-at (in the head and in segments)
 * @param leased jobs held by workers
 * @param finished finished jobs still in the queue object, waiting to be archived
 * @param dead dead jobs among {@code finished}
 * @param oldestReadyRunAt the earliest run-at among the ready jobs first in line of each priority
 *     in the queue object's head and of the ready job next in line in its segments (when that
 *     segment is in memory): the job that has been claimable longest; null when none is ready
 * @param pushed jobs pushed since the queue object was created
 * @param claimed claims (attempts started)
 * @param completed jobs completed
 * @param failed failures reported by workers
 * @param deadTotal jobs that went dead
 * @param expired leases that expired
 * @param cancelled jobs cancelled
 * @param archived finished jobs moved to archive objects
 */
public record QueueTally(
    long revision,
    int ready,
    int scheduled,
    int leased,
    int finished,
    int dead,
    Instant oldestReadyRunAt,
    long pushed,
    long claimed,
    long completed,
    long failed,
    long deadTotal,
    long expired,
    long cancelled,
    long archived) {

  /** Before anything was read: nothing known. */
  public static final QueueTally NONE =
      new QueueTally(-1, 0, 0, 0, 0, 0, null, 0, 0, 0, 0, 0, 0, 0, 0);

  /** Priorities looked at for the oldest ready job, at most (each costs a tree look-up). */
  static final int MAX_PRIORITIES_SCANNED = 64;

  /**
   * Attempts that went back to the queue for another try: failures that were retried and expired
   * leases that released their job (every failure and every expiry either retries the job or makes
   * it dead).
   *
   * @return the total since the queue object was created
   */
  public long retried() {
    return Math.max(0, failed + expired - deadTotal);
  }

  /**
   * How long the oldest ready job has been claimable at {@code now}: zero when none is ready.
   *
   * @param now the time to measure to
   * @return the age, never negative
   */
  public Duration oldestReadyAge(Instant now) {
    if (oldestReadyRunAt == null || !now.isAfter(oldestReadyRunAt)) {
      return Duration.ZERO;
    }
    return Duration.between(oldestReadyRunAt, now);
  }

  /** Takes the tally of {@code s}; call on the thread that owns it. */
  static QueueTally of(QueueState s) {
    int dead = 0;
    for (Job j : s.finished) {
      if (j.status() == JobStatus.DEAD) {
        dead++;
      }
    }
    QueueCounters c = s.counters;
    return new QueueTally(
        s.revision,
        s.readyCount(),
        s.scheduledCount(),
        s.leasedCount(),
        s.finished.size(),
        dead,
        earliest(oldestReadyRunAt(s.ready), s.nextSegmentedReadyRunAt()),
        c.pushed,
        c.claimed,
        c.completed,
        c.failed,
        c.dead,
        c.expired,
        c.cancelled,
        c.archived);
  }

  private static Instant earliest(Instant a, Instant b) {
    return a == null ? b : b == null || !b.isBefore(a) ? a : b;
  }

  /**
   * The earliest run-at among the first ready job of each priority: jobs of one priority are
   * claimed in push order, so the first is the one that has waited longest (a job retried after a
   * back-off keeps its place and counts from its new run-at).
   */
  private static Instant oldestReadyRunAt(TreeSet<Job> ready) {
    if (ready.isEmpty()) {
      return null;
    }
    Job first = ready.first();
    Instant oldest = first.runAt();
    Job band = first;
    for (int i = 1; i < MAX_PRIORITIES_SCANNED; i++) {
      Job next = ready.higher(lastOf(band.priority()));
      if (next == null) {
        break;
      }
      if (next.runAt().isBefore(oldest)) {
        oldest = next.runAt();
      }
      band = next;
    }
    return oldest;
  }

  /** A probe that sorts after every ready job of {@code priority} and before any of a lower one. */
  private static Job lastOf(int priority) {
    return new Job(
        "~",
        Long.MAX_VALUE,
        null,
        "null",
        priority,
        Instant.EPOCH,
        0,
        0,
        Instant.EPOCH,
        null,
        JobStatus.QUEUED,
        null,
        null,
        null,
        null);
  }
}
