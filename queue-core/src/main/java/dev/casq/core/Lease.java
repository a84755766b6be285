package dev.casq.core;

import java.time.Instant;
import java.util.Objects;

/** A worker's exclusive, expiring hold on a job. The token proves the hold. */
public record Lease(String worker, String token, Instant expiresAt) {
  /**
   * Creates a lease.
   * @param worker the id of the worker that holds the job
   * @param token the secret that proves the hold
   * @param expiresAt when the hold ends unless a heartbeat extends it
   * @throws NullPointerException if any field is null
   */
  public Lease {
    Objects.requireNonNull(worker, "worker");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }
}
