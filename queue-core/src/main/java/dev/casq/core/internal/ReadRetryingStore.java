package dev.casq.core.internal;

import dev.casq.storage.BackPressureException;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.StorageException;
import dev.casq.storage.StoreCapabilities;
import dev.casq.storage.StoreConfigurationException;
import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A store whose reads and lists are retried a few times with a growing pause (or the pause the
 * store asks for) before a failure reaches the caller. Writes pass through untouched: whether a
 * write may be retried is the engine's decision, not the store's.
 */
final class ReadRetryingStore implements ObjectStore {
  static final int RETRIES = 20;

  private final ObjectStore delegate;
  private final Sleeper sleeper;

  ReadRetryingStore(ObjectStore delegate, Sleeper sleeper) {
    this.delegate = delegate;
    this.sleeper = sleeper;
  }

  @Override
  public Optional<VersionedBytes> read(String key) {
    return retried(() -> delegate.read(key));
  }

  @Override
  public List<String> list(String prefix) {
    return retried(() -> delegate.list(prefix));
  }

  private <T> T retried(Supplier<T> call) {
    StorageException last = null;
    for (int i = 0; i < RETRIES; i++) {
      try {
        return call.get();
      } catch (StoreConfigurationException e) {
        throw e; // a wrong bucket or credentials do not heal by waiting
      } catch (BackPressureException e) {
        last = e;
        sleeper.pause(Math.max(1, e.retryAfter().toMillis()));
      } catch (StorageException e) {
        last = e;
        sleeper.pause(Math.min(1000, 10L << Math.min(i, 6)));
      }
    }
    throw last;
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
}
