package dev.casq.wire;

import java.time.Instant;

/**
 * The body of {@code POST .../dead/retry} and {@code POST .../dead/purge}: which dead jobs, every
 * field optional ({@code {}} takes every dead job).
 *
 * @param type the jobs' type, or null for any
 * @param createdFrom jobs pushed at or after this time, or null
 * @param createdTo jobs pushed before this time, or null
 */
public record DeadFilterBody(String type, Instant createdFrom, Instant createdTo) {}
