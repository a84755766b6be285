package dev.casq.storage.tck;

import dev.casq.storage.ObjectStore;
import dev.casq.storage.StoreCapabilities;
import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A store that forwards every call to another store. Decorators extend it and override what they
 * change. Closing it closes the delegate.
 */
public abstract class DelegatingObjectStore implements ObjectStore {
  private final ObjectStore delegate;

  protected DelegatingObjectStore(ObjectStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The store this one forwards to. */
  public ObjectStore delegate() {
    return delegate;
  }

  @Override
  public Optional<VersionedBytes> read(String key) {
    return delegate.read(key);
  }

  @Override
  public Version create(String key, byte[] data) {
    return delegate.create(key, data);
  }

  @Override
  public Version replace(String key, byte[] data, Version expected) {
    return delegate.replace(key, data, expected);
  }

  @Override
  public Version put(String key, byte[] data) {
    return delegate.put(key, data);
  }

  @Override
  public List<String> list(String prefix) {
    return delegate.list(prefix);
  }

  @Override
  public void delete(String key) {
    delegate.delete(key);
  }

  @Override
  public StoreCapabilities capabilities() {
    return delegate.capabilities();
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
