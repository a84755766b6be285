package dev.casq.wire;

import dev.casq.api.ClaimRequest;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * The body of a claim ({@code POST /v1/queues/{q}/claim}).
 *
 * @param worker who leases the jobs (required)
 * @param lease how long the lease lasts, or null for the queue's default
 * @param limit the most jobs to lease, from 1 to {@link WireLimits#MAX_CLAIM_LIMIT}
 * @param waitFor how long to wait for a ready job (zero: answer at once)
 * @param types the job types to lease (empty: any)
 * @param requestId an id that makes a retried claim answer the jobs the first one leased, or null
 */
public record ClaimBody(
    String worker,
    Duration lease,
    int limit,
    Duration waitFor,
    Set<String> types,
    String requestId) {

  /** Checks the required parts. */
  public ClaimBody {
    Objects.requireNonNull(worker, "worker");
    Objects.requireNonNull(waitFor, "waitFor");
    types = Set.copyOf(types);
  }

  /** The queue's claim request for this body. */
  public ClaimRequest toRequest() {
    return new ClaimRequest(worker, lease, limit, types, requestId);
  }
}
