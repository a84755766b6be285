package dev.casq.broker;

import java.time.Instant;

/**
 * One point of a queue's charts on the dashboard: rates over the interval since the previous
 * sample, counts at its end.
 *
 * @param at the end of the interval
 * @param pushRate jobs pushed per second (this and the other rates: NaN when no time passed)
 * @param claimRate claims per second
 * @param completeRate jobs completed per second
 * @param failRate failures reported per second
 * @param ready ready jobs at the end
 * @param scheduled scheduled jobs at the end
 * @param leased leased jobs at the end
 * @param dead dead jobs still in the queue object at the end
 * @param oldestReadyAgeSeconds age of the oldest ready job at the end
 * @param commitMillis mean time of one write of the queue object in the interval; NaN when none
 * @param batchSize mean commands per write in the interval; NaN when none
 */
record SeriesPoint(
    Instant at,
    double pushRate,
    double claimRate,
    double completeRate,
    double failRate,
    int ready,
    int scheduled,
    int leased,
    int dead,
    double oldestReadyAgeSeconds,
    double commitMillis,
    double batchSize) {

  /**
   * The point for the interval from {@code from} to {@code to}. A counter that went down (a new
   * engine after a takeover starts its own from zero) counts as nothing in that interval; the rates
   * are NaN when no time passed between the two.
   */
  static SeriesPoint between(QueueSample from, QueueSample to) {
    // no time between the samples (a clock that stands still, as in tests): no rate, not infinity
    double seconds = (to.at().toEpochMilli() - from.at().toEpochMilli()) / 1e3;
    if (seconds <= 0) {
      seconds = Double.NaN;
    }
    long commits = delta(from.commits(), to.commits());
    return new SeriesPoint(
        to.at(),
        delta(from.pushed(), to.pushed()) / seconds,
        delta(from.claimed(), to.claimed()) / seconds,
        delta(from.completed(), to.completed()) / seconds,
        delta(from.failed(), to.failed()) / seconds,
        to.ready(),
        to.scheduled(),
        to.leased(),
        to.dead(),
        to.oldestReadyAgeMillis() / 1e3,
        commits == 0 ? Double.NaN : delta(from.writeNanos(), to.writeNanos()) / 1e6 / commits,
        commits == 0 ? Double.NaN : (double) delta(from.commands(), to.commands()) / commits);
  }

  private static long delta(long from, long to) {
    return Math.max(0, to - from);
  }
}
