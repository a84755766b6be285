package dev.casq.election;

import dev.casq.api.QueueException;
import dev.casq.core.internal.BrokerRecord;
import java.util.Objects;

/**
 * A broker could not claim a queue because another broker holds it and its heartbeat is fresh.
 * Nothing was written. A healthy broker is never displaced; send requests to {@link
 * #activeBroker()} instead.
 */
public class BrokerActiveException extends QueueException {
  private static final long serialVersionUID = 1L;
  private final transient BrokerRecord activeBroker;

  public BrokerActiveException(BrokerRecord activeBroker) {
    super(
        "the queue is served by broker "
            + Objects.requireNonNull(activeBroker, "activeBroker").id()
            + " at "
            + activeBroker.address()
            + " (epoch "
            + activeBroker.epoch()
            + ", last heartbeat "
            + activeBroker.heartbeatAt()
            + "); it is alive, so it is not"
            + " taken over");
    this.activeBroker = activeBroker;
  }

  /** The broker that holds the queue. */
  public BrokerRecord activeBroker() {
    return activeBroker;
  }
}
