package dev.casq.api;

/**
 * The outcome of a push.
 *
 * @param jobId the job's id
 * @param duplicate true when the idempotency key was known and no new job was created
 */
public record PushResult(String jobId, boolean duplicate) {}
