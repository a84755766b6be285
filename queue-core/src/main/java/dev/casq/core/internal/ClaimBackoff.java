package dev.casq.core.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * How long a worker pauses after a failed claim: exponential from {@code first}, doubled per
 * failure in a row up to {@code max}, with jitter (a uniformly random point in the upper half of
 * the step, so that many workers failing together do not retry together). A successful claim resets
 * it. Pure: the randomness is injected.
 */
public final class ClaimBackoff {
  /** First pause: 50 ms. */
  public static final Duration FIRST = Duration.ofMillis(50);

  /** Longest pause: 5 s. */
  public static final Duration MAX = Duration.ofSeconds(5);

  private final Duration first;
  private final Duration max;
  private final DoubleSupplier random;
  private int failuresInARow;

  /**
   * @param first the pause after the first failure
   * @param max the longest pause
   * @param random values in [0, 1) for the jitter
   */
  public ClaimBackoff(Duration first, Duration max, DoubleSupplier random) {
    this.first = Objects.requireNonNull(first, "first");
    this.max = Objects.requireNonNull(max, "max");
    this.random = Objects.requireNonNull(random, "random");
    if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
      throw new IllegalArgumentException("need 0 < first <= max, got " + first + " and " + max);
    }
  }

  /** 50 ms to 5 s with thread-local randomness. */
  public static ClaimBackoff defaults() {
    return new ClaimBackoff(
        FIRST, MAX, () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble());
  }

  /** Records one more failure in a row and returns the pause to take before the next claim. */
  public synchronized Duration failed() {
    failuresInARow = Math.min(failuresInARow + 1, 62);
    return delay(failuresInARow, first, max, random.getAsDouble());
  }

  /** A claim succeeded: the next failure pauses for {@code first} again. */
  public synchronized void succeeded() {
    failuresInARow = 0;
  }

  /** Failures in a row so far. */
  public synchronized int failuresInARow() {
    return failuresInARow;
  }

  /**
   * The pause after {@code failuresInARow} failures: the step {@code min(max, first * 2^(n-1))},
   * jittered into [step/2, step].
   */
  public static Duration delay(int failuresInARow, Duration first, Duration max, double jitter) {
    if (failuresInARow < 1) {
      return Duration.ZERO;
    }
    long firstNanos = first.toNanos();
    long maxNanos = max.toNanos();
    int shift = Math.min(failuresInARow - 1, 62);
    long step =
        firstNanos > (maxNanos >> shift) ? maxNanos : Math.min(maxNanos, firstNanos << shift);
    double j = Math.min(Math.max(jitter, 0), 1);
    return Duration.ofNanos(step / 2 + (long) (j * (step - step / 2)));
  }
}
