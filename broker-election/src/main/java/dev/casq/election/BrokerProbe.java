package dev.casq.election;

import dev.casq.core.internal.BrokerRecord;

/**
 * Asks a recorded broker's address what it is (over its {@code /health} endpoint: see {@link
 * HttpBrokerProbe}). Only transport: {@link TakeoverRule} judges the answer.
 */
@FunctionalInterface
public interface BrokerProbe {
  /** A probe that never gets an answer: staleness alone decides. */
  BrokerProbe NEVER_ANSWERS = record -> ProbeResult.refused("never answers");

  /**
   * What the address of {@code record} answered. Must return within a bounded time and must not
   * throw.
   */
  ProbeResult probe(BrokerRecord record);
}
