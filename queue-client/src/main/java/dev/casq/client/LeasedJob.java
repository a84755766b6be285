package dev.casq.client;

import java.time.Instant;

/**
 * A job claimed through a broker and leased to the caller.
 *
 * @param id the job id
 * @param payload the payload converted to the queue's type
 * @param payloadJson the payload as JSON text, exactly as pushed
 * @param leaseToken proof of the lease; needed to heartbeat, complete, fail or release
 * @param leaseExpiresAt when the lease runs out unless extended (broker clock)
 * @param attempts how many times the job was claimed, this time included
 * @param maxAttempts attempts before the job goes dead
 * @param type the job type, or null
 * @param priority the job priority
 */
public record LeasedJob<T>(
    String id,
    T payload,
    String payloadJson,
    String leaseToken,
    Instant leaseExpiresAt,
    int attempts,
    int maxAttempts,
    String type,
    int priority) {}
