package dev.casq.wire;

import java.time.Instant;

/**
 * The answer to a heartbeat.
 *
 * @param leaseExpiresAt when the extended lease runs out (broker clock)
 */
public record HeartbeatReply(Instant leaseExpiresAt) {}
