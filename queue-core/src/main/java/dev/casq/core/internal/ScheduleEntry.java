package dev.casq.core.internal;

import dev.casq.api.Schedule;
import dev.casq.api.ScheduleInfo;
import java.time.Instant;

/**
 * A recurring schedule as the queue object holds it: its definition and where it stands.
 *
 * @param schedule the definition as it was put
 * @param createdAt when this definition was put (the anchor of an interval schedule)
 * @param nextFireAt the next fire, or null when a cron expression never fires again
 * @param lastFireAt the fire time of the last job pushed, or null
 * @param lastJobId the last job pushed, or null
 * @param times the fire times (in memory only, from the definition)
 */
record ScheduleEntry(
    Schedule schedule,
    Instant createdAt,
    Instant nextFireAt,
    Instant lastFireAt,
    String lastJobId,
    FireTimes times) {

  /** The first fire strictly after {@code after}, or null. */
  Instant nextAfter(Instant after) {
    return times.nextAfter(after, createdAt);
  }

  /**
   * This entry after it fired for {@code fireAt} with {@code jobId}, next firing at {@code next}.
   */
  ScheduleEntry fired(Instant fireAt, String jobId, Instant next) {
    return new ScheduleEntry(
        schedule,
        createdAt,
        next,
        fireAt == null ? lastFireAt : fireAt,
        jobId == null ? lastJobId : jobId,
        times);
  }

  ScheduleInfo info() {
    return new ScheduleInfo(schedule, nextFireAt, lastFireAt, lastJobId, createdAt);
  }

  /** The idempotency key of the job for the fire at {@code fireAt}. */
  static String key(String name, Instant fireAt) {
    return "casq:schedule:" + name + ":" + fireAt;
  }
}
