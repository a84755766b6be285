package dev.casq.election;

import dev.casq.core.internal.BrokerRecord;
import dev.casq.storage.StorageException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for a queue to need a broker, as {@link TakeoverRule} decides: none recorded, resigned, or
 * a stale heartbeat AND an address that does not confirm the recorded broker. A broker that still
 * answers is never displaced, even with a stale heartbeat (it may only be slow to write).
 */
public final class Standby {
  private static final Logger log = LoggerFactory.getLogger(Standby.class);

  private final BrokerDiscovery discovery;
  private final BrokerProbe probe;
  private final Duration staleAfter;
  private final Duration pollInterval;
  private final Clock clock;

  /**
   * @param discovery reads the queue object
   * @param probe asks a recorded broker whether it is alive
   * @param options the staleness applied to a recorded broker that declares none in its record
   * @param pollInterval how often to look again while the broker is alive
   * @param clock the clock to judge staleness with
   */
  public Standby(
      BrokerDiscovery discovery,
      BrokerProbe probe,
      ElectionOptions options,
      Duration pollInterval,
      Clock clock) {
    this.discovery = Objects.requireNonNull(discovery, "discovery");
    this.probe = Objects.requireNonNull(probe, "probe");
    this.staleAfter = Objects.requireNonNull(options, "options").staleAfter();
    this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("poll interval must be positive");
    }
  }

  /**
   * Checks once whether the queue needs a broker now.
   *
   * @return the vacancy if a takeover is allowed now, or null when a live broker holds the queue
   * @throws dev.casq.storage.StorageException if the store cannot be read
   * @throws dev.casq.api.CorruptStateException if the object is not a casq queue
   */
  public Vacancy check() {
    return decide(discovery.current());
  }

  private Vacancy decide(Optional<BrokerRecord> recorded) {
    BrokerRecord r = recorded.orElse(null);
    Instant now = clock.instant();
    ProbeResult answer =
        TakeoverRule.probeNeeded(r, now, staleAfter) ? probe.probe(r) : ProbeResult.notAsked();
    TakeoverDecision d = TakeoverRule.decide(r, answer, clock.instant(), staleAfter);
    if (!d.takeOver()) {
      if (answer.outcome() != ProbeResult.Outcome.NOT_ASKED) {
        log.info("{}", d.reason());
      }
      return null;
    }
    return new Vacancy(r);
  }

  /**
   * Blocks until the queue needs a broker (see {@link #check()}), reading the object every poll
   * interval, or sooner when the recorded heartbeat turns stale before that.
   *
   * @throws InterruptedException when interrupted while waiting
   * @throws dev.casq.api.CorruptStateException if the object is not a casq queue
   */
  public Vacancy await() throws InterruptedException {
    while (true) {
      Duration wait = pollInterval;
      try {
        Optional<BrokerRecord> recorded = discovery.current();
        Vacancy v = decide(recorded);
        if (v != null) {
          return v;
        }
        Instant staleAt = Staleness.staleAt(recorded.get(), staleAfter);
        Duration untilStale = Duration.between(clock.instant(), staleAt).plusMillis(1);
        if (!untilStale.isNegative() && untilStale.compareTo(wait) < 0) {
          wait = untilStale;
        }
      } catch (StorageException e) {
        log.warn("standby cannot read {}: {}; trying again", discovery.describe(), e.toString());
      }
      Thread.sleep(Math.max(1, wait.toMillis())); // polling the store, not synchronisation
    }
  }

  /**
   * A queue that needs a broker.
   *
   * @param previous the record of the broker that is gone, or null when there never was one
   */
  public record Vacancy(BrokerRecord previous) {}
}
