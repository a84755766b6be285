package dev.casq.wire;

import dev.casq.core.internal.Job;
import java.time.Instant;

/**
 * A job as {@code GET .../jobs/{id}} answers it; never with its lease token.
 *
 * @param id the job's id
 * @param status its status as on the wire
 * @param payloadJson the payload's JSON text, as pushed
 * @param priority its priority
 * @param runAt when it is (or was) ready
 * @param attempts attempts so far
 * @param maxAttempts attempts before it is dead
 * @param createdAt when it was pushed
 * @param type its type, or null
 * @param key its idempotency key, or null
 * @param lease its lease while leased, or null
 * @param lastError the error of the last failed attempt, or null
 * @param finishedAt when it finished, or null
 * @param resultJson the JSON text of its result, or null
 */
public record JobView(
    String id,
    String status,
    String payloadJson,
    int priority,
    Instant runAt,
    int attempts,
    int maxAttempts,
    Instant createdAt,
    String type,
    String key,
    LeaseView lease,
    String lastError,
    Instant finishedAt,
    String resultJson) {

  /** The view of a job; never its lease token. */
  public static JobView of(Job j) {
    return new JobView(
        j.id(),
        j.status().wireName(),
        j.payloadJson(),
        j.priority(),
        j.runAt(),
        j.attempts(),
        j.maxAttempts(),
        j.createdAt(),
        j.type(),
        j.idempotencyKey(),
        j.lease() == null ? null : new LeaseView(j.lease().worker(), j.lease().expiresAt()),
        j.lastError(),
        j.finishedAt(),
        j.resultJson());
  }

  /**
   * Who holds a job's lease, and until when.
   *
   * @param worker the worker holding it
   * @param expiresAt when it runs out unless extended
   */
  public record LeaseView(String worker, Instant expiresAt) {}
}
