package dev.casq.core.internal;

import dev.casq.api.QueueException;
import java.util.Optional;

/**
 * This writer is no longer the broker of the queue: the queue object names a broker with a newer
 * epoch. The request was not applied here; send it to {@link #currentBroker()}.
 */
public class FencedException extends QueueException {
  private static final long serialVersionUID = 1L;
  private final transient BrokerRecord currentBroker;

  /**
   * Creates the error for a writer that lost the queue to another broker.
   *
   * @param currentBroker the broker the queue object now names, or null if it names none
   */
  public FencedException(BrokerRecord currentBroker) {
    super(
        "not the broker any more: the queue is now served by "
            + (currentBroker == null
                ? "no broker"
                : currentBroker.id()
                    + " at "
                    + currentBroker.address()
                    + " (epoch "
                    + currentBroker.epoch()
                    + ")"));
    this.currentBroker = currentBroker;
  }

  /**
   * The broker that serves the queue now, where the request should go instead.
   *
   * @return the current broker; empty when the queue object names none
   */
  public Optional<BrokerRecord> currentBroker() {
    return Optional.ofNullable(currentBroker);
  }
}
