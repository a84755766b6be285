package dev.casq.election;

import dev.casq.core.internal.BrokerRecord;

/** A broker started in this process by a {@link BrokerLauncher}. */
public interface LaunchedBroker extends AutoCloseable {
  /**
   * The base URL clients use, e.g. {@code http://127.0.0.1:41234}; recorded in the queue object.
   */
  String address();

  /** The name the queue is served under ({@code /v1/queues/{name}/...}). */
  String queueName();

  /** The broker record it wrote when it claimed the queue (id, address, epoch). */
  BrokerRecord record();

  /** True while it serves the queue: false once closed or fenced by a newer broker. */
  boolean isServing();

  /** Stops serving, resigns the queue and releases the port. */
  @Override
  void close();
}
