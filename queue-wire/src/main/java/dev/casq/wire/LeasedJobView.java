package dev.casq.wire;

import dev.casq.core.internal.Job;
import java.time.Instant;

/**
 * A job as a claim answers it: leased to the claiming worker.
 *
 * @param id the job's id
 * @param payloadJson the payload's JSON text, as pushed
 * @param leaseToken the token that proves the lease
 * @param leaseExpiresAt when the lease runs out unless extended (broker clock)
 * @param attempts attempts so far, this one included
 * @param maxAttempts attempts before the job is dead
 * @param type the job's type, or null
 * @param priority the job's priority
 */
public record LeasedJobView(
    String id,
    String payloadJson,
    String leaseToken,
    Instant leaseExpiresAt,
    int attempts,
    int maxAttempts,
    String type,
    int priority) {

  /** The view of a job a claim leased. */
  public static LeasedJobView of(Job j) {
    return new LeasedJobView(
        j.id(),
        j.payloadJson(),
        j.lease().token(),
        j.lease().expiresAt(),
        j.attempts(),
        j.maxAttempts(),
        j.type(),
        j.priority());
  }
}
