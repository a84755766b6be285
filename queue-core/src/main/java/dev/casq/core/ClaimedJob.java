package dev.casq.core;

import java.time.Instant;

/**
 * A job held by this worker, with its typed payload.
 *
 * @param id job id
 * @param payload the payload, converted to the queue's type
 * @param leaseToken proof of the lease; needed to heartbeat, complete or fail
 * @param leaseExpiresAt when the lease runs out unless extended
 * @param attempts how many times the job was claimed, this time included
 * @param job the raw job
 * @param cancellation signalled when a {@link Worker} running this job loses its lease or shuts
 *     down; a handler checks {@code job.cancellation().isCancelled()} (or {@code leaseLost()})
 */
public record ClaimedJob<T>(
    String id,
    T payload,
    String leaseToken,
    Instant leaseExpiresAt,
    int attempts,
    Job job,
    Cancellation cancellation) {

  /**
   * Creates a claimed job; a null cancellation gets a fresh, unsignalled one.
   * @param id the job id
   * @param payload the typed payload
   * @param leaseToken the lease token
   * @param leaseExpiresAt when the lease runs out
   * @param attempts the claims so far, this one included
   * @param job the raw job
   * @param cancellation the cancellation signal, or null
   */
  public ClaimedJob {
    cancellation = cancellation == null ? new Cancellation() : cancellation;
  }

  /** A claimed job that nothing has cancelled yet. */
  public ClaimedJob(
      String id, T payload, String leaseToken, Instant leaseExpiresAt, int attempts, Job job) {
    this(id, payload, leaseToken, leaseExpiresAt, attempts, job, new Cancellation());
  }

  /** Shortcut for {@code cancellation().leaseLost()}: the outcome of this job will not count. */
  public boolean leaseLost() {
    return cancellation.leaseLost();
  }

  /** Shortcut for {@code cancellation().isCancelled()}: the handler should stop. */
  public boolean isCancelled() {
    return cancellation.isCancelled();
  }

  /** Id, payload, attempts and lease expiry; the lease token is left out (it grants the lease). */
  @Override
  public String toString() {
    return "ClaimedJob{id=" + id + ", payload=" + payload + ", attempts=" + attempts
        + ", leaseExpiresAt=" + leaseExpiresAt + "}";
  }
}
