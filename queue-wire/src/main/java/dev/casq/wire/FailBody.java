package dev.casq.wire;

import java.util.Objects;

/**
 * The body of a failed attempt ({@code POST .../jobs/{id}/fail}).
 *
 * @param leaseToken the lease of the attempt that failed (required)
 * @param error what went wrong, or null
 * @param retry whether the job may be tried again (false: it is dead at once)
 */
public record FailBody(String leaseToken, String error, boolean retry) {
  /** Checks the token is there. */
  public FailBody {
    Objects.requireNonNull(leaseToken, "leaseToken");
  }
}
