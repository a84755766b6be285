package dev.casq.election;

import dev.casq.core.BrokerRecord;

/**
 * Asks a recorded broker whether it is alive (for example over its {@code /health} endpoint).
 * Takeover needs both a stale heartbeat and a broker that does not answer.
 */
@FunctionalInterface
public interface BrokerProbe {
  /** A probe that never gets an answer: staleness alone decides. */
  BrokerProbe NEVER_ANSWERS = record -> false;

  /**
   * True when the broker of {@code record} answered that it is alive and still serves this queue.
   * Must return within a bounded time and must not throw.
   */
  boolean answers(BrokerRecord record);
}
