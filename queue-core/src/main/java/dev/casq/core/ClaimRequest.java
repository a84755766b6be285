package dev.casq.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * What a worker asks for.
 *
 * @param worker the worker's id (recorded in the lease)
 * @param lease lease duration; null for the queue default
 * @param limit how many jobs at most (1 to {@value QueuePolicy#MAX_CLAIM_BATCH})
 * @param types only jobs of these types; empty for any
 */
public record ClaimRequest(String worker, Duration lease, int limit, Set<String> types) {
  public ClaimRequest {
    Objects.requireNonNull(worker, "worker");
    types = types == null ? Set.of() : Set.copyOf(types);
  }

  public static ClaimRequest one(String worker) {
    return new ClaimRequest(worker, null, 1, Set.of());
  }
}
