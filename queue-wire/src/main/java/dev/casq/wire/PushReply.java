package dev.casq.wire;

/**
 * The answer to a push (201 created, or 200 when the key named a job pushed before).
 *
 * @param id the job's id
 * @param duplicate true when the key named an earlier job and nothing was created
 */
public record PushReply(String id, boolean duplicate) {}
