package dev.casq.sim;

import java.util.List;

/** What a simulated client asks of the queue: one operation of the history. */
sealed interface Request {
  /** The kind, for tallies and history lines. */
  default String kind() {
    return getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
  }

  /** A push; {@code key} null for a push without an idempotency key. */
  record Push(String payload, String key, int priority, long delayMillis) implements Request {}

  record Claim(int limit, long leaseMillis) implements Request {}

  record Heartbeat(String jobId, String token, long extendMillis) implements Request {}

  record Complete(String jobId, String token, String result) implements Request {}

  /** A batch completion: each job is decided on its own, all in one request. */
  record CompleteAll(List<Complete> jobs) implements Request {
    public CompleteAll {
      jobs = List.copyOf(jobs);
    }
  }

  record Fail(String jobId, String token, boolean retry) implements Request {}

  record Release(String jobId, String token) implements Request {}

  record Cancel(String jobId) implements Request {}

  /** Counts and the revision, through the broker. */
  record Stats() implements Request {}

  /** A read of the queue object from storage, as a client does to find its broker. */
  record Read() implements Request {}
}
