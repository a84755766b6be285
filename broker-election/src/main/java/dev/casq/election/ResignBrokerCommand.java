package dev.casq.election;

import dev.casq.core.internal.BrokerRecord;
import dev.casq.core.internal.Command;
import dev.casq.core.internal.FencedException;
import dev.casq.core.internal.QueueState;
import dev.casq.core.internal.QueueStateMachine;
import java.time.Instant;
import java.util.Objects;

/**
 * Gives the queue up on a clean shutdown: the record keeps the broker's id and epoch (epochs never
 * go back) but its heartbeat is set to {@link Instant#EPOCH}, so it is stale for everyone at once
 * and the next broker may claim without waiting. Throws {@link FencedException} when this broker no
 * longer holds the queue.
 */
public final class ResignBrokerCommand implements Command<BrokerRecord> {
  /** The heartbeat of a broker that resigned. */
  public static final Instant RESIGNED = Instant.EPOCH;

  private final BrokerRecord held;

  public ResignBrokerCommand(BrokerRecord held) {
    this.held = Objects.requireNonNull(held, "held");
  }

  @Override
  public BrokerRecord apply(QueueState state, QueueStateMachine machine, Instant now) {
    BrokerRecord current = state.broker();
    if (!EpochGuard.holds(current, held)) {
      throw new FencedException(current);
    }
    BrokerRecord resigned = current.withHeartbeat(RESIGNED);
    machine.setBroker(state, resigned);
    return resigned;
  }
}
