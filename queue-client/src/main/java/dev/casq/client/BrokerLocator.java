package dev.casq.client;

import dev.casq.core.internal.BrokerRecord;
import dev.casq.election.LaunchedBroker;
import java.util.Optional;

/**
 * Finds the broker of one queue by reading the queue object, and starts one in this process when
 * asked to. Implementations do blocking I/O; the client calls them off its request threads.
 */
interface BrokerLocator extends AutoCloseable {

  /** The broker recorded in the queue object now; empty when none is (or there is no object). */
  Optional<BrokerRecord> recorded();

  /**
   * Starts a broker for the queue in this process, if a launcher is available; empty otherwise. The
   * broker records itself in the queue object before this returns.
   *
   * @throws dev.casq.election.BrokerActiveException when a live broker holds the queue
   */
  Optional<LaunchedBroker> launch();

  /** Whether {@link #launch()} can ever start a broker. */
  boolean canLaunch();

  /** The store and object, for messages (no secrets). */
  String describe();

  @Override
  void close();
}
