package dev.casq.storage;

import java.util.Arrays;
import java.util.Objects;

/** The content of an object together with the version it was read at. */
public record VersionedBytes(byte[] data, Version version) {
  public VersionedBytes {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(version, "version");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VersionedBytes other
        && Arrays.equals(data, other.data)
        && version.equals(other.version);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(data) + version.hashCode();
  }

  @Override
  public String toString() {
    return "VersionedBytes[" + data.length + " bytes @ " + version + "]";
  }
}
