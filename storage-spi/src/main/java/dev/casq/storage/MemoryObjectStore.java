package dev.casq.storage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory store: fast, exact, not durable. Stores opened through {@code mem://NAME/key} with
 * the same NAME share one instance for the life of the JVM, so an engine and a test (or two
 * engines) can meet on it.
 */
public final class MemoryObjectStore implements ObjectStore {
  private static final Map<String, MemoryObjectStore> NAMED = new ConcurrentHashMap<>();

  private record Entry(byte[] data, long generation) {}

  private final String name;
  private final ConcurrentSkipListMap<String, Entry> objects = new ConcurrentSkipListMap<>();
  private final AtomicLong generations = new AtomicLong();

  public MemoryObjectStore() {
    this("anonymous");
  }

  private MemoryObjectStore(String name) {
    this.name = name;
  }

  /** The shared store called {@code name} in this JVM. */
  public static MemoryObjectStore named(String name) {
    return NAMED.computeIfAbsent(name, MemoryObjectStore::new);
  }

  /** Forgets the shared store called {@code name} (for tests). */
  public static void forget(String name) {
    NAMED.remove(name);
  }

  @Override
  public Optional<VersionedBytes> read(String key) {
    ObjectKeys.validate(key);
    Entry e = objects.get(key);
    return e == null
        ? Optional.empty()
        : Optional.of(new VersionedBytes(e.data.clone(), version(e.generation)));
  }

  @Override
  public Version create(String key, byte[] data) {
    ObjectKeys.validate(key);
    Entry fresh = new Entry(data.clone(), generations.incrementAndGet());
    if (objects.putIfAbsent(key, fresh) != null) {
      throw new PreconditionFailedException("object already exists: " + key);
    }
    return version(fresh.generation);
  }

  @Override
  public Version replace(String key, byte[] data, Version expected) {
    ObjectKeys.validate(key);
    long expectedGeneration = parse(expected);
    Entry fresh = new Entry(data.clone(), generations.incrementAndGet());
    Entry[] seen = new Entry[1];
    objects.computeIfPresent(
        key,
        (k, current) -> {
          seen[0] = current;
          return current.generation == expectedGeneration ? fresh : current;
        });
    if (seen[0] == null) {
      throw new PreconditionFailedException("object does not exist: " + key);
    }
    if (seen[0].generation != expectedGeneration) {
      throw new PreconditionFailedException(
          "version mismatch for "
              + key
              + ": expected "
              + expected
              + ", found "
              + version(seen[0].generation));
    }
    return version(fresh.generation);
  }

  @Override
  public Version put(String key, byte[] data) {
    ObjectKeys.validate(key);
    Entry fresh = new Entry(data.clone(), generations.incrementAndGet());
    objects.put(key, fresh);
    return version(fresh.generation);
  }

  @Override
  public List<String> list(String prefix) {
    List<String> keys = new ArrayList<>();
    for (String k : objects.tailMap(prefix, true).keySet()) {
      if (!k.startsWith(prefix)) {
        break;
      }
      keys.add(k);
    }
    return keys;
  }

  @Override
  public void delete(String key) {
    ObjectKeys.validate(key);
    objects.remove(key);
  }

  @Override
  public StoreCapabilities capabilities() {
    return new StoreCapabilities(Duration.ZERO, false, Integer.MAX_VALUE - 16);
  }

  @Override
  public String describe() {
    return "mem://" + name;
  }

  private static Version version(long generation) {
    return new Version(Long.toString(generation));
  }

  private static long parse(Version v) {
    try {
      return Long.parseLong(v.token());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a mem:// version token: " + v, e);
    }
  }
}
