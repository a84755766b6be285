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
  /**
   * Creates a claim request; null types mean any type.
   * @param worker the worker's id
   * @param lease the lease duration, or null for the queue default
   * @param limit the most jobs to claim
   * @param types the job types to claim, or null or empty for any
   * @throws NullPointerException if {@code worker} is null
   */
  public ClaimRequest {
    Objects.requireNonNull(worker, "worker");
    types = types == null ? Set.of() : Set.copyOf(types);
  }

  /**
   * A claim of one job of any type with the queue's default lease.
   * @param worker the worker's id
   * @return the request
   */
  public static ClaimRequest one(String worker) {
    return new ClaimRequest(worker, null, 1, Set.of());
  }
}
