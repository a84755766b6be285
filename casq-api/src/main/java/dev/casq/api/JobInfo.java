package dev.casq.api;

import java.time.Instant;

/**
 * A job as {@link Queue#get} and {@link Queue#list} report it, wherever it is (live, finished, or
 * archived). The lease token is never reported.
 *
 * @param id the job id
 * @param status where the job is in its life
 * @param payload the payload converted to the queue's type
 * @param payloadJson the payload as JSON text
 * @param priority the job priority
 * @param runAt when the job may run
 * @param attempts how many times it was claimed
 * @param maxAttempts attempts before it goes dead
 * @param createdAt when it was pushed
 * @param type the job type, or null
 * @param key the idempotency key, or null
 * @param leaseWorker the worker holding the lease, or null
 * @param leaseExpiresAt when that lease runs out, or null
 * @param lastError the error of the last failed attempt, or null
 * @param finishedAt when it finished, or null
 * @param resultJson the result a worker completed it with (JSON text), or null
 */
public record JobInfo<T>(
    String id,
    JobStatus status,
    T payload,
    String payloadJson,
    int priority,
    Instant runAt,
    int attempts,
    int maxAttempts,
    Instant createdAt,
    String type,
    String key,
    String leaseWorker,
    Instant leaseExpiresAt,
    String lastError,
    Instant finishedAt,
    String resultJson) {}
