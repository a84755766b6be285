package dev.casq.api;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * What a worker asks for.
 *
 * @param worker the worker's id (recorded in the lease)
 * @param lease lease duration; null for the queue default
 * @param limit how many jobs at most (1 to 1000)
 * @param types only jobs of these types; empty for any
 * @param requestId null, or an id the caller sends again when it retries this claim (up to 128
 *     characters): while a job leased by a claim of the same worker with the same id is still
 *     leased, the claim returns that lease again instead of leasing another job, so a claim whose
 *     answer was lost does not strand a job
 */
public record ClaimRequest(
    String worker, Duration lease, int limit, Set<String> types, String requestId) {
  /**
   * Creates a claim request; null types mean any type.
   *
   * @param worker the worker's id
   * @param lease the lease duration, or null for the queue default
   * @param limit the most jobs to claim
   * @param types the job types to claim, or null or empty for any
   * @param requestId the claim's request id, or null for none
   * @throws NullPointerException if {@code worker} is null
   */
  public ClaimRequest {
    Objects.requireNonNull(worker, "worker");
    types = types == null ? Set.of() : Set.copyOf(types);
  }

  /**
   * Creates a claim request without a request id; null types mean any type.
   *
   * @param worker the worker's id
   * @param lease the lease duration, or null for the queue default
   * @param limit the most jobs to claim
   * @param types the job types to claim, or null or empty for any
   * @throws NullPointerException if {@code worker} is null
   */
  public ClaimRequest(String worker, Duration lease, int limit, Set<String> types) {
    this(worker, lease, limit, types, null);
  }

  /**
   * A claim of one job of any type with the queue's default lease.
   *
   * @param worker the worker's id
   * @return the request
   */
  public static ClaimRequest one(String worker) {
    return new ClaimRequest(worker, null, 1, Set.of());
  }

  /**
   * The same claim with another request id.
   *
   * @param id the request id, or null for none
   * @return the request
   */
  public ClaimRequest withRequestId(String id) {
    return new ClaimRequest(worker, lease, limit, types, id);
  }
}
