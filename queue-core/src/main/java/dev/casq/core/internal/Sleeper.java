package dev.casq.core.internal;

import dev.casq.api.QueueClosedException;
import java.time.Duration;

/**
 * Waits before a retry: the engine's storage back-offs and the workers' pauses after failed claims.
 * Tests inject one that records instead of sleeping; a simulation runs it on simulated time.
 */
@FunctionalInterface
public interface Sleeper {
  /** Sleeps on the calling thread. */
  Sleeper REAL =
      d -> {
        if (!d.isNegative() && !d.isZero()) {
          Thread.sleep(d.toMillis()); // a back-off before a retry, not synchronisation
        }
      };

  /**
   * Waits for {@code d}, or less when the caller is closing.
   *
   * @throws InterruptedException when interrupted
   */
  void sleep(Duration d) throws InterruptedException;

  /** Waits {@code millis}; an interrupt ends the wait with {@link QueueClosedException}. */
  default void pause(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      sleep(Duration.ofMillis(millis));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueClosedException("interrupted while backing off");
    }
  }
}
