package dev.casq.client;

import dev.casq.core.internal.BrokerRecord;
import dev.casq.election.Staleness;
import dev.casq.election.TakeoverRule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How fast the client looks again for a broker that did not answer, scaled to the staleness the
 * recorded broker declared (see {@link Staleness}; the client's {@code staleAfter} for a record
 * that declares none). A broker declaring 1.5s is replaced about 1.5s after its last heartbeat, so
 * no wait of the client may be much longer than that:
 *
 * <ul>
 *   <li>between two attempts, the retry policy's backoff, but at most a quarter of the staleness,
 *       and never past the instant the recorded heartbeat turns stale (when a takeover may start);
 *   <li>the recorded broker's {@code /health}, asked only once its heartbeat is stale, gets the
 *       client's health timeout, but at most a third of the staleness.
 * </ul>
 *
 * <p>With the defaults (10s) neither bound changes anything. Thread-safe.
 */
final class FailoverPacing {
  /** The client looks at least this many times per staleness period. */
  static final int LOOKS_PER_STALE_PERIOD = 4;

  /** The probe gets at most this fraction of the staleness (it is tried twice on a timeout). */
  static final int PROBES_PER_STALE_PERIOD = 3;

  /** Waiting this long past the stale instant makes sure the heartbeat is stale when looked at. */
  private static final Duration PAST_STALE = Duration.ofMillis(1);

  private final Duration defaultStaleAfter;
  private final Clock clock;
  private volatile BrokerRecord lastRecorded;

  FailoverPacing(Duration defaultStaleAfter, Clock clock) {
    this.defaultStaleAfter = Objects.requireNonNull(defaultStaleAfter, "defaultStaleAfter");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Remembers the broker record last read from the queue object. */
  void recorded(BrokerRecord record) {
    lastRecorded = record;
  }

  /** The staleness that applies to the broker last read (the default when none was). */
  Duration staleAfter() {
    BrokerRecord r = lastRecorded;
    return r == null ? defaultStaleAfter : Staleness.staleAfter(r, defaultStaleAfter);
  }

  /**
   * The wait before the next attempt after the broker did not answer (or none could be found).
   *
   * @param backoff what the retry policy says
   */
  Duration nextLook(Duration backoff) {
    Duration wait = min(backoff, staleAfter().dividedBy(LOOKS_PER_STALE_PERIOD));
    BrokerRecord r = lastRecorded;
    if (r != null && !TakeoverRule.isResigned(r)) {
      Instant staleAt = Staleness.staleAt(r, defaultStaleAfter);
      Duration untilStale = Duration.between(clock.instant(), staleAt).plus(PAST_STALE);
      if (!untilStale.isNegative() && !untilStale.isZero()) {
        wait = min(wait, untilStale);
      }
    }
    return wait;
  }

  /** The time the recorded broker's {@code /health} gets to answer. */
  Duration probeTimeout(BrokerRecord recorded, Duration healthTimeout) {
    Duration bound =
        Staleness.staleAfter(recorded, defaultStaleAfter).dividedBy(PROBES_PER_STALE_PERIOD);
    return min(healthTimeout, bound);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
