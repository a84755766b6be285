package dev.casq.client;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How a call is retried: until {@code deadline} after it started, waiting between attempts with
 * exponential backoff and jitter. A broker's {@code Retry-After} header is honoured (but never past
 * the deadline).
 *
 * @param deadline the total time one call may take, retries included (a long-poll claim adds its
 *     wait on top)
 * @param initialBackoff the wait before the first retry
 * @param maxBackoff the longest wait between two attempts
 * @param multiplier growth of the wait from one retry to the next (at least 1)
 * @param jitter the fraction (0 to 1) of each wait that is randomised, so that clients that failed
 *     together do not retry together
 */
public record RetryPolicy(
    Duration deadline,
    Duration initialBackoff,
    Duration maxBackoff,
    double multiplier,
    double jitter) {

  /** Checks the policy: durations not negative, multiplier at least 1, jitter from 0 to 1. */
  public RetryPolicy {
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (deadline.isNegative()) {
      throw new IllegalArgumentException("retry deadline must not be negative, got " + deadline);
    }
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "backoff must satisfy 0 <= initial <= max, got " + initialBackoff + " / " + maxBackoff);
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("backoff multiplier must be >= 1, got " + multiplier);
    }
    if (!(jitter >= 0.0 && jitter <= 1.0)) {
      throw new IllegalArgumentException("jitter must be from 0 to 1, got " + jitter);
    }
  }

  /** Deadline 30s, backoff 50ms doubling to 2s, 50% jitter. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(
        Duration.ofSeconds(30), Duration.ofMillis(50), Duration.ofSeconds(2), 2.0, 0.5);
  }

  /** One attempt only: every failure is reported at once. */
  public static RetryPolicy none() {
    return new RetryPolicy(Duration.ZERO, Duration.ZERO, Duration.ZERO, 1.0, 0.0);
  }

  /**
   * The same policy with another deadline.
   *
   * @param d how long a call may run, retries included
   * @return a copy
   */
  public RetryPolicy withDeadline(Duration d) {
    return new RetryPolicy(d, initialBackoff, maxBackoff, multiplier, jitter);
  }

  /**
   * The same policy with other backoff bounds.
   *
   * @param initial the first pause
   * @param max the longest pause
   * @return a copy
   */
  public RetryPolicy withBackoff(Duration initial, Duration max) {
    return new RetryPolicy(deadline, initial, max, multiplier, jitter);
  }

  /** The wait before retry number {@code retry} (1-based), jittered. */
  public Duration backoff(int retry) {
    double base = initialBackoff.toNanos();
    double cap = maxBackoff.toNanos();
    for (int i = 1; i < retry && base < cap; i++) {
      base *= multiplier;
    }
    base = Math.min(base, cap);
    double jittered = base * (1.0 - jitter * ThreadLocalRandom.current().nextDouble());
    return Duration.ofNanos((long) jittered);
  }
}
