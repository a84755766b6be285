package dev.casq.core;

import java.time.Instant;
import java.util.Objects;

/** A worker's exclusive, expiring hold on a job. The token proves the hold. */
public record Lease(String worker, String token, Instant expiresAt) {
  public Lease {
    Objects.requireNonNull(worker, "worker");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }
}
