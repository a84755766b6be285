package dev.casq.wire;

import java.util.Objects;

/**
 * The body of a completion ({@code POST .../jobs/{id}/complete}).
 *
 * @param leaseToken the lease of the attempt that completed (required)
 * @param resultJson the result's JSON text exactly as sent, or null
 */
public record CompleteBody(String leaseToken, String resultJson) {
  /** Checks the token is there. */
  public CompleteBody {
    Objects.requireNonNull(leaseToken, "leaseToken");
  }
}
