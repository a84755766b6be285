package dev.casq.api;

/** Where a job is in its life, as {@link Queue#get} and {@link Queue#fail} report it. */
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

  /**
   * Whether the job is finished: completed, dead or cancelled.
   *
   * @return true for the three final states
   */
  public boolean isFinished() {
    return this == COMPLETED || this == DEAD || this == CANCELLED;
  }
}
