package dev.casq.election;

import dev.casq.core.internal.BrokerRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When a recorded broker's heartbeat counts as stale: the one place that says which staleness
 * applies to a record.
 *
 * <p>A broker declares its staleness in its record ({@link BrokerRecord#staleAfter()}); every
 * reader uses that declared value, bounded to {@link #MIN_DECLARED}..{@link #MAX_DECLARED} so that
 * a corrupt or hand-edited number neither makes a live broker look dead at once nor keeps a dead
 * one for days. A record that declares nothing (written by an earlier version) is judged with the
 * reader's configured staleness, its {@code fallback}.
 */
public final class Staleness {
  /** The least declared staleness a reader accepts; smaller values are read as this. */
  public static final Duration MIN_DECLARED = Duration.ofMillis(100);

  /** The greatest declared staleness a reader accepts; greater values are read as this. */
  public static final Duration MAX_DECLARED = Duration.ofHours(1);

  private Staleness() {}

  /**
   * The staleness that applies to {@code record}: its declared one, bounded, or {@code fallback}
   * when it declares none.
   */
  public static Duration staleAfter(BrokerRecord record, Duration fallback) {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(fallback, "fallback");
    Duration declared = record.staleAfter();
    if (declared == null) {
      return fallback;
    }
    if (declared.compareTo(MIN_DECLARED) < 0) {
      return MIN_DECLARED;
    }
    return declared.compareTo(MAX_DECLARED) > 0 ? MAX_DECLARED : declared;
  }

  /** The instant from which {@code record}'s heartbeat is stale. */
  public static Instant staleAt(BrokerRecord record, Duration fallback) {
    return record.heartbeatAt().plus(staleAfter(record, fallback));
  }

  /** True when {@code record}'s heartbeat is stale at {@code now}. */
  public static boolean isStale(BrokerRecord record, Instant now, Duration fallback) {
    return !staleAt(record, fallback).isAfter(now);
  }
}
