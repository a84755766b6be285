package dev.casq.election;

import dev.casq.core.BrokerRecord;
import java.time.Duration;
import java.time.Instant;

/** When a recorded broker counts as gone. */
final class Staleness {
  private Staleness() {}

  /** True when the last heartbeat is {@code staleAfter} or more before {@code now}. */
  static boolean isStale(BrokerRecord record, Instant now, Duration staleAfter) {
    return !record.heartbeatAt().plus(staleAfter).isAfter(now);
  }
}
