package dev.casq.wire;

/**
 * The answer to complete, fail, release and cancel: the job's status after the change.
 *
 * @param id the job's id
 * @param status its status as on the wire ({@code completed}, {@code queued}, {@code dead}, ...)
 */
public record StatusReply(String id, String status) {}
