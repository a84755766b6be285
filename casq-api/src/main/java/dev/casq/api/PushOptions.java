package dev.casq.api;

import java.time.Duration;
import java.time.Instant;

/**
 * Optional settings of a typed push. Immutable; start from {@link #none()}.
 *
 * @param idempotencyKey pushes with the same key create one job (null: none)
 * @param priority higher runs first (null: 0)
 * @param delay runs this long after the push (null: at once)
 * @param runAt runs at this instant (null: at once)
 * @param type the job's type, for workers that claim only some types (null: none)
 * @param maxAttempts attempts before the job goes dead (null: the queue's default)
 */
public record PushOptions(
    String idempotencyKey,
    Integer priority,
    Duration delay,
    Instant runAt,
    String type,
    Integer maxAttempts) {

  /**
   * No options: a job without key, priority 0, ready at once.
   *
   * @return the empty options
   */
  public static PushOptions none() {
    return new PushOptions(null, null, null, null, null, null);
  }

  /**
   * The idempotency key: pushes with the same key create one job while it is remembered.
   *
   * @param k the key
   * @return a copy with the key
   */
  public PushOptions key(String k) {
    return new PushOptions(k, priority, delay, runAt, type, maxAttempts);
  }

  /**
   * The priority: higher runs first; FIFO within one priority.
   *
   * @param p from -1,000,000 to 1,000,000
   * @return a copy with the priority
   */
  public PushOptions priority(int p) {
    return new PushOptions(idempotencyKey, p, delay, runAt, type, maxAttempts);
  }

  /**
   * Runs the job this long after the push.
   *
   * @param d from 0 to 36,500 days
   * @return a copy with the delay
   */
  public PushOptions delay(Duration d) {
    return new PushOptions(idempotencyKey, priority, d, runAt, type, maxAttempts);
  }

  /**
   * Runs the job at this instant.
   *
   * @param at the instant
   * @return a copy with the run-at instant
   */
  public PushOptions runAt(Instant at) {
    return new PushOptions(idempotencyKey, priority, delay, at, type, maxAttempts);
  }

  /**
   * The job's type, for workers that claim only some types.
   *
   * @param t the type
   * @return a copy with the type
   */
  public PushOptions type(String t) {
    return new PushOptions(idempotencyKey, priority, delay, runAt, t, maxAttempts);
  }

  /**
   * Attempts before the job goes dead, instead of the queue's default.
   *
   * @param n from 1 to 1000
   * @return a copy with the attempts
   */
  public PushOptions maxAttempts(int n) {
    return new PushOptions(idempotencyKey, priority, delay, runAt, type, n);
  }
}
