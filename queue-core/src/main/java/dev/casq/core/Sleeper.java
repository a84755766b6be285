package dev.casq.core;

import java.time.Duration;

/** Waits between a worker's failed claims; tests inject one that records instead of sleeping. */
@FunctionalInterface
public interface Sleeper {
  /**
   * Waits for {@code d}, or less when the worker is closing.
   *
   * @throws InterruptedException when interrupted
   */
  void sleep(Duration d) throws InterruptedException;
}
