package dev.casq.core.internal;

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
  CANCELLED,
  /**
   * Not a status a job is ever reported with: the record of a dead job that was purged, written in
   * place of the dead job (in the finished jobs, then an archive) so that lookups and lists stop
   * finding the job. Its payload is {@code null}.
   */
  PURGED;

  private final String wireName = name().toLowerCase(java.util.Locale.ROOT);

  /**
   * Whether the status is final: a completed, dead or cancelled job never changes again.
   *
   * @return true for {@link #COMPLETED}, {@link #DEAD} and {@link #CANCELLED}
   */
  public boolean isFinished() {
    return this == COMPLETED || this == DEAD || this == CANCELLED || this == PURGED;
  }

  /**
   * The name used in the queue object and the wire protocol: the constant in lower case.
   *
   * @return the wire name, e.g. {@code "queued"}
   */
  public String wireName() {
    return wireName;
  }

  /**
   * The status of a wire name, the inverse of {@link #wireName()}.
   *
   * @param s a wire name such as {@code "leased"}
   * @return the status
   * @throws IllegalArgumentException if {@code s} is not the wire name of a status
   */
  public static JobStatus fromWire(String s) {
    for (JobStatus v : values()) {
      if (v.wireName().equals(s)) {
        return v;
      }
    }
    throw new IllegalArgumentException("unknown job status '" + s + "'");
  }
}
