package dev.casq.election;

import java.time.Duration;
import java.util.Objects;

/**
 * Timing of broker election.
 *
 * @param heartbeatInterval how often the broker refreshes its record in the queue object, even when
 *     idle (default 2s; at least 10ms)
 * @param staleAfter how old the recorded heartbeat must be before another broker may take over
 *     (default 10s; at least three heartbeat intervals, so that one slow write never looks like a
 *     dead broker, and at most 1h). Both are declared in the broker record, so that every reader
 *     judges this broker by them.
 */
public record ElectionOptions(Duration heartbeatInterval, Duration staleAfter) {
  /** Default heartbeat interval: 2 seconds. */
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(2);

  /** Default staleness: 10 seconds. */
  public static final Duration DEFAULT_STALE_AFTER = Duration.ofSeconds(10);

  /** The least heartbeat interval accepted. */
  public static final Duration MIN_HEARTBEAT_INTERVAL = Duration.ofMillis(10);

  /** The greatest staleness a broker may declare (readers bound what they read to it, too). */
  public static final Duration MAX_STALE_AFTER = Staleness.MAX_DECLARED;

  /** staleAfter must be at least this many heartbeat intervals. */
  public static final int MIN_HEARTBEATS_PER_STALE = 3;

  public ElectionOptions {
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    Objects.requireNonNull(staleAfter, "staleAfter");
    if (heartbeatInterval.compareTo(MIN_HEARTBEAT_INTERVAL) < 0) {
      throw new IllegalArgumentException(
          "heartbeat interval must be at least "
              + MIN_HEARTBEAT_INTERVAL.toMillis()
              + "ms, got "
              + heartbeatInterval.toMillis()
              + "ms");
    }
    if (staleAfter.compareTo(heartbeatInterval.multipliedBy(MIN_HEARTBEATS_PER_STALE)) < 0) {
      throw new IllegalArgumentException(
          "stale-after ("
              + staleAfter.toMillis()
              + "ms) must be at least "
              + MIN_HEARTBEATS_PER_STALE
              + " heartbeat intervals ("
              + MIN_HEARTBEATS_PER_STALE
              + " x "
              + heartbeatInterval.toMillis()
              + "ms), so that one late heartbeat does not"
              + " look like a dead broker");
    }
    if (staleAfter.compareTo(MAX_STALE_AFTER) > 0) {
      throw new IllegalArgumentException(
          "stale-after ("
              + staleAfter.toMillis()
              + "ms) must be at most "
              + MAX_STALE_AFTER.toMinutes()
              + "m");
    }
  }

  /** Heartbeat every 2s, stale after 10s. */
  public static ElectionOptions defaults() {
    return new ElectionOptions(DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_STALE_AFTER);
  }
}
