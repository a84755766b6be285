package dev.casq.election;

import dev.casq.core.internal.BrokerRecord;
import dev.casq.core.internal.CommitGuard;
import dev.casq.core.internal.FencedException;
import dev.casq.core.internal.QueueState;
import java.util.Objects;

/**
 * The fence of a broker that holds a queue: checked by the commit engine against every state it is
 * about to write over. It passes only while that state names this broker (same id, same epoch).
 * When the broker record is gone, names a newer epoch, or names another broker, it throws {@link
 * FencedException}, and the engine stops writing for good: a replaced broker learns it from its
 * first lost compare-and-swap and never takes the object back.
 */
public final class EpochGuard implements CommitGuard {
  private final BrokerRecord held;

  /**
   * @param held the record this broker wrote when it claimed the queue
   */
  public EpochGuard(BrokerRecord held) {
    this.held = Objects.requireNonNull(held, "held");
  }

  @Override
  public void check(QueueState current) {
    BrokerRecord recorded = current.broker();
    if (!holds(recorded, held)) {
      throw new FencedException(recorded);
    }
  }

  /** The record this guard protects. */
  public BrokerRecord held() {
    return held;
  }

  /** Whether {@code recorded} still names the broker of {@code held} at the same epoch. */
  static boolean holds(BrokerRecord recorded, BrokerRecord held) {
    return recorded != null && recorded.epoch() == held.epoch() && recorded.id().equals(held.id());
  }

  @Override
  public String toString() {
    return "EpochGuard[" + held.id() + " epoch " + held.epoch() + "]";
  }
}
