package dev.casq.storage;

import java.time.Duration;
import java.util.Objects;

/**
 * What a store tells its users about itself.
 *
 * @param minWriteInterval the smallest interval between two writes of the same object that the
 *     backend sustains (GCS: about one second); {@link Duration#ZERO} when there is no such limit.
 *     The group-commit engine uses it as its default minimum commit interval.
 * @param durable whether an acknowledged write survives a crash of the machine (false for mem://
 *     and for file:// with fsync disabled)
 * @param maxObjectBytes the largest object the store accepts
 */
public record StoreCapabilities(Duration minWriteInterval, boolean durable, long maxObjectBytes) {
  public StoreCapabilities {
    Objects.requireNonNull(minWriteInterval, "minWriteInterval");
    if (minWriteInterval.isNegative()) {
      throw new IllegalArgumentException("minWriteInterval must not be negative");
    }
    if (maxObjectBytes <= 0) {
      throw new IllegalArgumentException("maxObjectBytes must be positive");
    }
  }
}
