package dev.casq.wire;

/**
 * The answer to a retry or purge of dead jobs by filter.
 *
 * @param count how many jobs it retried or purged
 */
public record CountReply(int count) {}
