package dev.casq.core;

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

  public long pushed() {
    return pushed;
  }

  public long claimed() {
    return claimed;
  }

  public long completed() {
    return completed;
  }

  /** Failures reported by workers (each retried or dead). */
  public long failed() {
    return failed;
  }

  public long dead() {
    return dead;
  }

  /** Leases that expired and were released. */
  public long expired() {
    return expired;
  }

  public long cancelled() {
    return cancelled;
  }

  /** Finished jobs moved to archive objects. */
  public long archived() {
    return archived;
  }
}
