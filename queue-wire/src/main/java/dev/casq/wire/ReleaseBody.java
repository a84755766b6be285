package dev.casq.wire;

import java.util.Objects;

/**
 * The body of a release ({@code POST .../jobs/{id}/release}): the job is given back without
 * counting the attempt.
 *
 * @param leaseToken the lease given back (required)
 */
public record ReleaseBody(String leaseToken) {
  /** Checks the token is there. */
  public ReleaseBody {
    Objects.requireNonNull(leaseToken, "leaseToken");
  }
}
