package dev.casq.core.internal;

import java.time.Instant;
import java.util.Objects;

/**
 * A worker's exclusive, expiring hold on a job. The token proves the hold.
 *
 * @param worker the id of the worker that holds the job
 * @param token the secret that proves the hold
 * @param expiresAt when the hold ends unless a heartbeat extends it
 * @param requestId the request id of the claim that granted the hold, or null: a claim retried with
 *     the same id (and worker) gets this lease again instead of another job
 */
public record Lease(String worker, String token, Instant expiresAt, String requestId) {
  /**
   * Creates a lease.
   *
   * @param worker the id of the worker that holds the job
   * @param token the secret that proves the hold
   * @param expiresAt when the hold ends unless a heartbeat extends it
   * @param requestId the claim's request id, or null
   * @throws NullPointerException if worker, token or expiresAt is null
   */
  public Lease {
    Objects.requireNonNull(worker, "worker");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /**
   * Creates a lease granted by a claim without a request id.
   *
   * @param worker the id of the worker that holds the job
   * @param token the secret that proves the hold
   * @param expiresAt when the hold ends unless a heartbeat extends it
   * @throws NullPointerException if any argument is null
   */
  public Lease(String worker, String token, Instant expiresAt) {
    this(worker, token, expiresAt, null);
  }

  /**
   * The same hold with another expiry (a heartbeat).
   *
   * @param newExpiry the new expiry
   * @return the extended lease
   */
  public Lease extendedTo(Instant newExpiry) {
    return new Lease(worker, token, newExpiry, requestId);
  }
}
