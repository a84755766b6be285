package dev.casq.client;

import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.ObjectStoreProvider;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.Version;
import dev.casq.storage.tck.DelegatingObjectStore;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test store {@code held-mem://name/key}: the {@code mem://} store, except that a write resigning
 * the broker (its heartbeat set to 1970-01-01T00:00:00Z) blocks until {@link #release()}, as a
 * store that stops answering while a broker shuts down. Found through ServiceLoader; queue-cli's
 * tests use it through this module's test jar.
 */
public final class HeldResignationStoreProvider implements ObjectStoreProvider {
  private static volatile CountDownLatch gate = new CountDownLatch(1);
  private static final AtomicInteger HELD = new AtomicInteger();

  /** Lets held writes (and later ones) through. */
  public static void release() {
    gate.countDown();
  }

  /** Holds resigning writes again (before a test). */
  public static void hold() {
    gate = new CountDownLatch(1);
    HELD.set(0);
  }

  /** Resigning writes held so far. */
  public static int held() {
    return HELD.get();
  }

  @Override
  public Set<String> schemes() {
    return Set.of("held-mem");
  }

  @Override
  public StoreLocation open(URI uri, Map<String, String> properties) {
    return new StoreLocation(
        new Held(MemoryObjectStore.named("held-" + uri.getAuthority())),
        uri.getPath().substring(1));
  }

  private static final class Held extends DelegatingObjectStore {
    Held(ObjectStore d) {
      super(d);
    }

    private static void maybeHold(byte[] data) {
      if (new String(data, StandardCharsets.UTF_8).contains("\"1970-01-01T00:00:00Z\"")) {
        HELD.incrementAndGet();
        try {
          gate.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public Version create(String key, byte[] data) {
      maybeHold(data);
      return super.create(key, data);
    }

    @Override
    public Version replace(String key, byte[] data, Version expected) {
      maybeHold(data);
      return super.replace(key, data, expected);
    }

    @Override
    public String describe() {
      return "held-mem " + super.describe();
    }
  }
}
