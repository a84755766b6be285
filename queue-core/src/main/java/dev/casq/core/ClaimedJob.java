package dev.casq.core;

import java.time.Instant;

/**
 * A job held by this worker, with its typed payload.
 *
 * @param id job id
 * @param payload the payload, converted to the queue's type
 * @param leaseToken proof of the lease; needed to heartbeat, complete or fail
 * @param leaseExpiresAt when the lease runs out unless extended
 * @param attempts how many times the job was claimed, this time included
 * @param job the raw job
 */
public record ClaimedJob<T>(
    String id, T payload, String leaseToken, Instant leaseExpiresAt, int attempts, Job job) {}
