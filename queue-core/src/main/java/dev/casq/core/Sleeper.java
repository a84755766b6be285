package dev.casq.core;

/**
 * Waits before a retry. The engine's back-offs go through this, so that a simulation can run them
 * on simulated time.
 */
@FunctionalInterface
public interface Sleeper {
  /** Sleeps on the calling thread; an interrupt ends the wait with {@link QueueClosedException}. */
  Sleeper REAL = millis -> {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis); // a back-off before retrying storage, not synchronisation
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueClosedException("interrupted while backing off");
    }
  };

  void sleep(long millis);
}
