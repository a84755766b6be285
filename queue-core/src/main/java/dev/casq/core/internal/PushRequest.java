package dev.casq.core.internal;

import dev.casq.core.QueuePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What to push. Only the payload is required; every other field is optional (null) and falls back
 * to the queue's {@link QueuePolicy}.
 *
 * @param payloadJson the job's payload as JSON text
 * @param type a job type workers may filter on
 * @param priority higher runs first; default 0
 * @param runAt do not run before this instant
 * @param delay do not run before now + delay (ignored when runAt is given)
 * @param maxAttempts attempts before the job goes dead
 * @param idempotencyKey pushes with the same key create one job
 */
public record PushRequest(
    String payloadJson,
    String type,
    Integer priority,
    Instant runAt,
    Duration delay,
    Integer maxAttempts,
    String idempotencyKey) {

  /**
   * Creates a request; see the class comment for what each field means.
   *
   * @param payloadJson the payload as JSON text (required)
   * @param type the job type, or null
   * @param priority the priority, or null for 0
   * @param runAt the earliest run time, or null
   * @param delay the delay from now, or null
   * @param maxAttempts the attempt limit, or null for the policy's
   * @param idempotencyKey the idempotency key, or null
   * @throws NullPointerException if {@code payloadJson} is null
   */
  public PushRequest {
    Objects.requireNonNull(payloadJson, "payloadJson");
  }

  /**
   * A request with only a payload: type, priority, schedule, attempts and key from the defaults.
   *
   * @param payloadJson the payload as JSON text
   * @return the request
   */
  public static PushRequest of(String payloadJson) {
    return new PushRequest(payloadJson, null, null, null, null, null, null);
  }

  /**
   * This request with a job type, so workers that claim by type can pick it.
   *
   * @param t the type, at most {@value QueuePolicy#MAX_TYPE_LENGTH} characters; null for none
   * @return a new request
   */
  public PushRequest withType(String t) {
    return new PushRequest(payloadJson, t, priority, runAt, delay, maxAttempts, idempotencyKey);
  }

  /**
   * This request with a priority: higher is claimed first among due jobs.
   *
   * @param p the priority, within +-{@value QueuePolicy#MAX_PRIORITY}
   * @return a new request
   */
  public PushRequest withPriority(int p) {
    return new PushRequest(payloadJson, type, p, runAt, delay, maxAttempts, idempotencyKey);
  }

  /**
   * This request scheduled for a time: the job is not claimable before it.
   *
   * @param at the earliest run time (takes precedence over a delay); null for now
   * @return a new request
   */
  public PushRequest withRunAt(Instant at) {
    return new PushRequest(payloadJson, type, priority, at, delay, maxAttempts, idempotencyKey);
  }

  /**
   * This request delayed: the job is not claimable before push time plus the delay (ignored when a
   * run-at time is set).
   *
   * @param d the delay; null for none
   * @return a new request
   */
  public PushRequest withDelay(Duration d) {
    return new PushRequest(payloadJson, type, priority, runAt, d, maxAttempts, idempotencyKey);
  }

  /**
   * This request with its own attempt limit instead of the queue's default.
   *
   * @param n attempts before the job goes dead, 1 to {@value QueuePolicy#MAX_ATTEMPTS}
   * @return a new request
   */
  public PushRequest withMaxAttempts(int n) {
    return new PushRequest(payloadJson, type, priority, runAt, delay, n, idempotencyKey);
  }

  /**
   * This request with an idempotency key: while the key is remembered, pushing it again returns the
   * job of the first push instead of creating another, so a push can be retried safely.
   *
   * @param k the key, at most {@value QueuePolicy#MAX_KEY_LENGTH} characters; null for none
   * @return a new request
   */
  public PushRequest withIdempotencyKey(String k) {
    return new PushRequest(payloadJson, type, priority, runAt, delay, maxAttempts, k);
  }
}
