package dev.casq.election;

import dev.casq.core.internal.BrokerRecord;
import dev.casq.core.internal.CommitGuard;
import dev.casq.core.internal.FencedException;
import dev.casq.core.internal.QueueState;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The guard of a broker that is about to claim a queue: it may write only over a state whose
 * recorded broker is absent, is itself, or is stale (by the staleness it declared; {@code
 * staleAfter} when it declared none). So a candidate never writes anything (not even the expiry of
 * leases) over the state of a live broker; when it meets one, the engine is fenced and the claim
 * fails.
 */
final class CandidateGuard implements CommitGuard {
  private final String brokerId;
  private final Duration staleAfter;
  private final Clock clock;

  CandidateGuard(String brokerId, Duration staleAfter, Clock clock) {
    this.brokerId = Objects.requireNonNull(brokerId, "brokerId");
    this.staleAfter = Objects.requireNonNull(staleAfter, "staleAfter");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void check(QueueState current) {
    BrokerRecord recorded = current.broker();
    if (recorded != null
        && !recorded.id().equals(brokerId)
        && !Staleness.isStale(recorded, clock.instant(), staleAfter)) {
      throw new FencedException(recorded);
    }
  }
}
