package dev.casq.core.internal;

import dev.casq.core.EngineOptions;
import java.time.Instant;

/**
 * When a queue has work to do although no request arrives: a lease expires, a scheduled job comes
 * due, a recurring schedule fires, finished jobs are due for archiving. All arithmetic saturates:
 * no instant in a state can make the engine throw.
 */
final class Timers {
  private Timers() {}

  /** The earliest moment with timer work, or null when there is none. */
  static Instant next(QueueState s, EngineOptions options) {
    Instant next = null;
    if (!s.leased.isEmpty()) {
      next = s.leased.first().lease().expiresAt();
    }
    if (!s.scheduled.isEmpty()) {
      next = earlier(next, s.scheduled.first().runAt());
    }
    if (!s.segments.isEmpty()) {
      Instant due = s.nextDueInSegments();
      if (due != null) {
        next = earlier(next, due);
      }
    }
    for (ScheduleEntry e : s.schedules.values()) {
      if (e.nextFireAt() != null) {
        next = earlier(next, e.nextFireAt());
      }
    }
    if (!s.finished.isEmpty()) {
      next =
          earlier(
              next,
              plusSaturating(s.finished.get(0).finishedAt(), options.archiveMaxDelay().toMillis()));
    }
    return next;
  }

  /** Whether timer work is due at {@code now}. */
  static boolean due(QueueState s, EngineOptions options, Instant now) {
    Instant next = next(s, options);
    return next != null && !next.isAfter(now);
  }

  /** Milliseconds from {@code now} to {@code then}, 0 when past, at most {@code cap}. */
  static long millisBetween(Instant now, Instant then, long cap) {
    if (!then.isAfter(now)) {
      return 0;
    }
    long seconds = then.getEpochSecond() - now.getEpochSecond(); // both within Instant's range
    if (seconds > cap / 1000 + 1) {
      return cap;
    }
    long millis = seconds * 1000 + (then.getNano() - now.getNano()) / 1_000_000;
    return Math.max(1, Math.min(cap, millis + 1));
  }

  /** {@code at} plus {@code millis}, or {@link Instant#MAX} when that is beyond it. */
  static Instant plusSaturating(Instant at, long millis) {
    long room = Instant.MAX.getEpochSecond() - at.getEpochSecond() - 1;
    if (millis / 1000 >= room) {
      return Instant.MAX;
    }
    return at.plusMillis(millis);
  }

  private static Instant earlier(Instant a, Instant b) {
    return a == null || b.isBefore(a) ? b : a;
  }
}
