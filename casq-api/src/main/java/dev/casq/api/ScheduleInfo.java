package dev.casq.api;

import java.time.Instant;

/**
 * A schedule as the queue holds it.
 *
 * @param schedule the schedule as it was put
 * @param nextFireAt when it fires next, or null when its expression never fires again
 * @param lastFireAt the fire time of the last job it pushed, or null before its first
 * @param lastJobId the id of the last job it pushed, or null before its first
 * @param createdAt when this version of the schedule was put
 */
public record ScheduleInfo(
    Schedule schedule,
    Instant nextFireAt,
    Instant lastFireAt,
    String lastJobId,
    Instant createdAt) {}
