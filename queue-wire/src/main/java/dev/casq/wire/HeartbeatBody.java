package dev.casq.wire;

import java.time.Duration;
import java.util.Objects;

/**
 * The body of a heartbeat ({@code POST .../jobs/{id}/heartbeat}).
 *
 * @param leaseToken the lease being extended (required)
 * @param extend how far from now to extend it, or null for the lease's own length
 */
public record HeartbeatBody(String leaseToken, Duration extend) {
  /** Checks the token is there. */
  public HeartbeatBody {
    Objects.requireNonNull(leaseToken, "leaseToken");
  }
}
