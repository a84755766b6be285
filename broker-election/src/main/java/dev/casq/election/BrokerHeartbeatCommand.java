package dev.casq.election;

import dev.casq.core.internal.BrokerRecord;
import dev.casq.core.internal.Command;
import dev.casq.core.internal.FencedException;
import dev.casq.core.internal.QueueState;
import dev.casq.core.internal.QueueStateMachine;
import java.time.Instant;
import java.util.Objects;

/**
 * Refreshes the heartbeat of the recorded broker, so that nobody takes the queue over while this
 * broker is alive. The record keeps declaring the heartbeat interval and staleness this broker
 * claimed the queue with. Throws {@link FencedException} (and changes nothing) when the state no
 * longer names this broker at this epoch. Never refreshes a record its broker has resigned: a beat
 * submitted just as the broker resigned (the schedule racing {@code close()}) would otherwise land
 * after the resignation and make a stopped broker look alive until its heartbeat goes stale.
 */
public final class BrokerHeartbeatCommand implements Command<BrokerRecord> {
  private final BrokerRecord held;

  /**
   * @param held the record this broker wrote when it claimed the queue
   */
  public BrokerHeartbeatCommand(BrokerRecord held) {
    this.held = Objects.requireNonNull(held, "held");
  }

  @Override
  public BrokerRecord apply(QueueState state, QueueStateMachine machine, Instant now) {
    BrokerRecord current = state.broker();
    if (!EpochGuard.holds(current, held)) {
      throw new FencedException(current);
    }
    if (current.heartbeatAt().equals(ResignBrokerCommand.RESIGNED)) {
      return current; // resigned for good: nothing to refresh
    }
    BrokerRecord refreshed =
        current.withHeartbeat(now).declaring(held.heartbeatInterval(), held.staleAfter());
    machine.setBroker(state, refreshed);
    return refreshed;
  }
}
