package dev.casq.core.internal;

/** Totals since the queue object was created. Engine-confined; copied for readers. */
public final class QueueCounters {
  long pushed;
  long claimed;
  long completed;
  long failed;
  long dead;
  long expired;
  long cancelled;
  long archived;

  /** All counters at zero. */
  public QueueCounters() {}

  QueueCounters copy() {
    QueueCounters c = new QueueCounters();
    c.pushed = pushed;
    c.claimed = claimed;
    c.completed = completed;
    c.failed = failed;
    c.dead = dead;
    c.expired = expired;
    c.cancelled = cancelled;
    c.archived = archived;
    return c;
  }

  /**
   * Jobs pushed (a duplicate push with a remembered key not counted).
   *
   * @return the total since the queue object was created
   */
  public long pushed() {
    return pushed;
  }

  /**
   * Claims of a job by a worker (each attempt counts).
   *
   * @return the total since the queue object was created
   */
  public long claimed() {
    return claimed;
  }

  /**
   * Jobs completed.
   *
   * @return the total since the queue object was created
   */
  public long completed() {
    return completed;
  }

  /**
   * Failures reported by workers (each retried or dead).
   *
   * @return the total since the queue object was created
   */
  public long failed() {
    return failed;
  }

  /**
   * Jobs that went dead: out of attempts, or failed permanently.
   *
   * @return the total since the queue object was created
   */
  public long dead() {
    return dead;
  }

  /**
   * Leases that expired and were released.
   *
   * @return the total since the queue object was created
   */
  public long expired() {
    return expired;
  }

  /**
   * Jobs cancelled.
   *
   * @return the total since the queue object was created
   */
  public long cancelled() {
    return cancelled;
  }

  /**
   * Finished jobs moved to archive objects.
   *
   * @return the total since the queue object was created
   */
  public long archived() {
    return archived;
  }

  @Override
  public String toString() {
    return "QueueCounters{pushed="
        + pushed
        + ", claimed="
        + claimed
        + ", completed="
        + completed
        + ", failed="
        + failed
        + ", dead="
        + dead
        + ", expired="
        + expired
        + ", cancelled="
        + cancelled
        + ", archived="
        + archived
        + "}";
  }
}
