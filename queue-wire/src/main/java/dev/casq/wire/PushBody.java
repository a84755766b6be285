package dev.casq.wire;

import dev.casq.core.internal.PushRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The body of a push ({@code POST /v1/queues/{q}/jobs}, and each entry of a batch).
 *
 * @param payloadJson the payload's JSON text, exactly as sent (required)
 * @param type the job's type, or null
 * @param priority the priority (higher first), or null for the queue's default
 * @param runAt when the job becomes ready, or null
 * @param delay how long after the push the job becomes ready, or null (not with {@code runAt})
 * @param maxAttempts the attempts before the job is dead, or null for the queue's default
 * @param key the idempotency key, or null
 */
public record PushBody(
    String payloadJson,
    String type,
    Integer priority,
    Instant runAt,
    Duration delay,
    Integer maxAttempts,
    String key) {

  /** Checks that the payload is there. */
  public PushBody {
    Objects.requireNonNull(payloadJson, "payloadJson");
  }

  /** The body of a core push request. */
  public static PushBody of(PushRequest r) {
    return new PushBody(
        r.payloadJson(),
        r.type(),
        r.priority(),
        r.runAt(),
        r.delay(),
        r.maxAttempts(),
        r.idempotencyKey());
  }

  /** The queue's push request for this body. */
  public PushRequest toRequest() {
    return new PushRequest(payloadJson, type, priority, runAt, delay, maxAttempts, key);
  }
}
