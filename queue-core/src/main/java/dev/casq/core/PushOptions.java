package dev.casq.core;

import java.time.Duration;
import java.time.Instant;

/** Optional settings of a typed push. Immutable; start from {@link #none()}. */
public record PushOptions(
    String idempotencyKey, Integer priority, Duration delay, Instant runAt, String type,
    Integer maxAttempts) {

  public static PushOptions none() {
    return new PushOptions(null, null, null, null, null, null);
  }

  public PushOptions key(String k) {
    return new PushOptions(k, priority, delay, runAt, type, maxAttempts);
  }

  public PushOptions priority(int p) {
    return new PushOptions(idempotencyKey, p, delay, runAt, type, maxAttempts);
  }

  public PushOptions delay(Duration d) {
    return new PushOptions(idempotencyKey, priority, d, runAt, type, maxAttempts);
  }

  public PushOptions runAt(Instant at) {
    return new PushOptions(idempotencyKey, priority, delay, at, type, maxAttempts);
  }

  public PushOptions type(String t) {
    return new PushOptions(idempotencyKey, priority, delay, runAt, t, maxAttempts);
  }

  public PushOptions maxAttempts(int n) {
    return new PushOptions(idempotencyKey, priority, delay, runAt, type, n);
  }

  PushRequest apply(PushRequest r) {
    return new PushRequest(r.payloadJson(), type, priority, runAt, delay, maxAttempts,
        idempotencyKey);
  }
}
