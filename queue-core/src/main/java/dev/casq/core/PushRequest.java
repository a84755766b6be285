package dev.casq.core;

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

  public PushRequest {
    Objects.requireNonNull(payloadJson, "payloadJson");
  }

  public static PushRequest of(String payloadJson) {
    return new PushRequest(payloadJson, null, null, null, null, null, null);
  }

  public PushRequest withType(String t) {
    return new PushRequest(payloadJson, t, priority, runAt, delay, maxAttempts, idempotencyKey);
  }

  public PushRequest withPriority(int p) {
    return new PushRequest(payloadJson, type, p, runAt, delay, maxAttempts, idempotencyKey);
  }

  public PushRequest withRunAt(Instant at) {
    return new PushRequest(payloadJson, type, priority, at, delay, maxAttempts, idempotencyKey);
  }

  public PushRequest withDelay(Duration d) {
    return new PushRequest(payloadJson, type, priority, runAt, d, maxAttempts, idempotencyKey);
  }

  public PushRequest withMaxAttempts(int n) {
    return new PushRequest(payloadJson, type, priority, runAt, delay, n, idempotencyKey);
  }

  public PushRequest withIdempotencyKey(String k) {
    return new PushRequest(payloadJson, type, priority, runAt, delay, maxAttempts, k);
  }
}
