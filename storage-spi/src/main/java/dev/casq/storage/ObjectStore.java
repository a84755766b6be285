package dev.casq.storage;

import java.util.List;
import java.util.Optional;

/**
 * A store of named objects with compare-and-swap. Keys are relative, '/'-separated, non-empty
 * strings without '.' or '..' segments; they may contain any unicode.
 *
 * <p>Every conditional write has exactly three outcomes:
 *
 * <ul>
 *   <li>success: it returns the new {@link Version};
 *   <li>lost: it throws {@link PreconditionFailedException}; nothing was written;
 *   <li>unknown: it throws {@link OutcomeUnknownException}; the write may or may not have landed.
 * </ul>
 *
 * Other failures throw a {@link StorageException} that says nothing was written (for example {@link
 * StoreConfigurationException} or {@link BackPressureException}).
 *
 * <p>Implementations are thread-safe. They copy byte arrays in and out (or never retain nor mutate
 * them), so callers may reuse their buffers.
 */
public interface ObjectStore extends AutoCloseable {

  /** Reads the object, or returns empty if it does not exist. */
  Optional<VersionedBytes> read(String key);

  /**
   * Creates the object if and only if it does not exist.
   *
   * @throws PreconditionFailedException if it exists already (the content is left unchanged)
   * @throws OutcomeUnknownException if the outcome is unknown
   */
  Version create(String key, byte[] data);

  /**
   * Replaces the object if and only if its current version is {@code expected}.
   *
   * @throws PreconditionFailedException if the version differs or the object does not exist
   * @throws OutcomeUnknownException if the outcome is unknown
   */
  Version replace(String key, byte[] data, Version expected);

  /** Writes the object unconditionally (for archive and auxiliary objects). */
  Version put(String key, byte[] data);

  /** Lists the keys that start with {@code prefix}, in lexicographic order. */
  List<String> list(String prefix);

  /** Deletes the object; deleting a missing object is not an error. */
  void delete(String key);

  /** What this store can promise. */
  StoreCapabilities capabilities();

  /** A human-readable description for logs and errors, e.g. {@code file:///tmp} (no secrets). */
  String describe();

  @Override
  default void close() {}
}
