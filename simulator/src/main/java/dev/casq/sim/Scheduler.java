package dev.casq.sim;

import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Simulated time and the events that happen in it, on one thread: a priority queue ordered by time,
 * ties broken by a number drawn from the run's seeded random (so two events due at the same
 * millisecond happen in an order the seed chooses, and the same seed always chooses the same).
 *
 * <p>Time only moves forward: an event scheduled for a moment that a back-off has already passed
 * ({@link #advance}) runs as soon as it is taken.
 */
final class Scheduler {
  private record Event(long at, long tie, long seq, Runnable action) {}

  private final PriorityQueue<Event> events =
      new PriorityQueue<>(
          (a, b) -> {
            int c = Long.compare(a.at, b.at);
            if (c != 0) {
              return c;
            }
            c = Long.compare(a.tie, b.tie);
            return c != 0 ? c : Long.compare(a.seq, b.seq);
          });
  private final SplittableRandom random;
  private long now;
  private long seq;
  private long ran;

  Scheduler(SplittableRandom random) {
    this.random = random;
  }

  /** Milliseconds since the start of the run. */
  long now() {
    return now;
  }

  /** How many events have run. */
  long eventsRun() {
    return ran;
  }

  void at(long when, Runnable action) {
    events.add(new Event(Math.max(when, now), random.nextLong(), seq++, action));
  }

  void after(long delayMillis, Runnable action) {
    at(now + Math.max(0, delayMillis), action);
  }

  /**
   * Lets simulated time pass inside an event (a back-off of the commit loop): nothing else runs
   * meanwhile, as on a thread that sleeps while holding the loop.
   */
  void advance(long millis) {
    if (millis > 0) {
      now += millis;
    }
  }

  /** Runs events until none is left before {@code until} (simulated milliseconds). */
  void runUntil(long until) {
    while (!events.isEmpty() && events.peek().at <= until) {
      Event e = events.poll();
      now = Math.max(now, e.at);
      ran++;
      e.action.run();
    }
    now = Math.max(now, until);
  }
}
