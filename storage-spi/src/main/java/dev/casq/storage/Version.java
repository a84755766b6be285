package dev.casq.storage;

import java.util.Objects;

/**
 * An opaque version token of a stored object (S3 ETag, GCS generation, local file generation). Only
 * the store that issued it can interpret it; callers compare it for equality at most.
 */
public record Version(String token) {
  public Version {
    Objects.requireNonNull(token, "token");
    if (token.isEmpty()) {
      throw new IllegalArgumentException("version token must not be empty");
    }
  }

  @Override
  public String toString() {
    return token;
  }
}
