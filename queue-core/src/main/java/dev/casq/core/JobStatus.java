package dev.casq.core;

/** Where a job is in its life. */
public enum JobStatus {
  /** Waiting to be claimed (immediately, or from its run-at time). */
  QUEUED,
  /** Claimed by a worker that holds a lease. */
  LEASED,
  /** Finished successfully. */
  COMPLETED,
  /** Failed for the last time (attempts exhausted or failed without retry). */
  DEAD,
  /** Cancelled before it finished. */
  CANCELLED;

  private final String wireName = name().toLowerCase(java.util.Locale.ROOT);

  public boolean isFinished() {
    return this == COMPLETED || this == DEAD || this == CANCELLED;
  }

  public String wireName() {
    return wireName;
  }

  public static JobStatus fromWire(String s) {
    for (JobStatus v : values()) {
      if (v.wireName().equals(s)) {
        return v;
      }
    }
    throw new IllegalArgumentException("unknown job status '" + s + "'");
  }
}
