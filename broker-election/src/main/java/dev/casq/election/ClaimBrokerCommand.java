package dev.casq.election;

import dev.casq.core.internal.BrokerRecord;
import dev.casq.core.internal.Command;
import dev.casq.core.internal.QueueState;
import dev.casq.core.internal.QueueStateMachine;
import java.time.Instant;
import java.util.Objects;

/**
 * Makes this broker the broker of the queue, applied by the commit engine to the freshest state.
 *
 * <p>It takes the queue when no broker is recorded, when the recorded broker has this id (a
 * restart), or when the recorded broker's heartbeat is stale at {@code now} (by the staleness that
 * broker declared, see {@link Staleness}; this broker's own when it declared none). The new record
 * carries the recorded epoch + 1 (1 when none), so every earlier holder is fenced, and declares
 * this broker's heartbeat interval and staleness. Otherwise it throws {@link BrokerActiveException}
 * and changes nothing.
 *
 * <p>When two brokers claim at once, both apply this command to the same state and race their
 * compare-and-swap; the loser re-reads, re-applies it to the winner's state and gets {@link
 * BrokerActiveException}.
 */
public final class ClaimBrokerCommand implements Command<BrokerRecord> {
  private final String brokerId;
  private final String address;
  private final ElectionOptions options;

  /**
   * @param brokerId unique id of the claiming broker process
   * @param address base URL clients use to reach it
   * @param options this broker's heartbeat interval and staleness: declared in the new record, and
   *     the staleness applied to a recorded broker that declared none
   */
  public ClaimBrokerCommand(String brokerId, String address, ElectionOptions options) {
    this.brokerId = requireText(brokerId, "brokerId");
    this.address = requireText(address, "address");
    this.options = Objects.requireNonNull(options, "options");
  }

  @Override
  public BrokerRecord apply(QueueState state, QueueStateMachine machine, Instant now) {
    BrokerRecord current = state.broker();
    if (current != null
        && !current.id().equals(brokerId)
        && !Staleness.isStale(current, now, options.staleAfter())) {
      throw new BrokerActiveException(current);
    }
    long epoch = current == null ? 1 : Math.addExact(current.epoch(), 1);
    BrokerRecord claimed =
        new BrokerRecord(
            brokerId, address, epoch, now, options.heartbeatInterval(), options.staleAfter());
    machine.setBroker(state, claimed);
    return claimed;
  }

  static String requireText(String value, String what) {
    Objects.requireNonNull(value, what);
    if (value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    return value;
  }

  @Override
  public String toString() {
    return "ClaimBroker["
        + brokerId
        + " at "
        + address
        + ", heartbeat "
        + options.heartbeatInterval().toMillis()
        + "ms, staleAfter "
        + options.staleAfter().toMillis()
        + "ms]";
  }
}
