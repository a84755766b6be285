package dev.casq.storage.tck;

import dev.casq.storage.ObjectStore;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.StorageException;
import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * A store that makes each operation take longer, as a remote store does: a fixed latency plus an
 * optional uniformly random jitter, spent half before the call reaches the delegate (the request
 * travelling) and half after it returns (the answer travelling). So a write lands in the middle of
 * its latency, as on a real network. Latency can apply to every operation or to writes only.
 *
 * <p>An interrupt while waiting before the call throws {@link StorageException} (nothing was done);
 * after a write was handed to the delegate it throws {@link OutcomeUnknownException}. The interrupt
 * status is kept.
 */
public final class LatencyInjectingStore extends DelegatingObjectStore {

  /** Waits for a duration; replaceable in tests of code that uses this store. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;

    /** {@link Thread#sleep(long, int)}. */
    Sleeper THREAD_SLEEP = d -> Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
  }

  private final Duration latency;
  private final Duration jitter;
  private final boolean writesOnly;
  private final Sleeper sleeper;
  private final SplittableRandom random; // guarded by itself

  private LatencyInjectingStore(Builder b) {
    super(b.delegate);
    this.latency = b.latency;
    this.jitter = b.jitter;
    this.writesOnly = b.writesOnly;
    this.sleeper = b.sleeper;
    this.random = new SplittableRandom(b.seed);
  }

  /** Starts building a latency-injecting store around {@code delegate}. */
  public static Builder builder(ObjectStore delegate) {
    return new Builder(delegate);
  }

  /** A store adding {@code latency} to every operation. */
  public static LatencyInjectingStore of(ObjectStore delegate, Duration latency) {
    return builder(delegate).latency(latency).build();
  }

  /** Configuration of a {@link LatencyInjectingStore}. */
  public static final class Builder {
    private final ObjectStore delegate;
    private Duration latency = Duration.ZERO;
    private Duration jitter = Duration.ZERO;
    private boolean writesOnly;
    private long seed = 1;
    private Sleeper sleeper = Sleeper.THREAD_SLEEP;

    private Builder(ObjectStore delegate) {
      this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The fixed latency of each operation (default zero). */
    public Builder latency(Duration latency) {
      this.latency = nonNegative(latency, "latency");
      return this;
    }

    /** The upper bound of a uniformly random extra latency (default zero). */
    public Builder jitter(Duration jitter) {
      this.jitter = nonNegative(jitter, "jitter");
      return this;
    }

    /** Adds latency to create, replace, put and delete only; reads and lists stay fast. */
    public Builder writesOnly() {
      this.writesOnly = true;
      return this;
    }

    /** The seed of the jitter (default 1). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** How to wait (default {@link Sleeper#THREAD_SLEEP}). */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    public LatencyInjectingStore build() {
      return new LatencyInjectingStore(this);
    }

    private static Duration nonNegative(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, got " + d);
      }
      return d;
    }
  }

  @Override
  public Optional<VersionedBytes> read(String key) {
    return writesOnly ? super.read(key) : timed("read " + key, false, () -> super.read(key));
  }

  @Override
  public List<String> list(String prefix) {
    return writesOnly
        ? super.list(prefix)
        : timed("list " + prefix, false, () -> super.list(prefix));
  }

  @Override
  public Version create(String key, byte[] data) {
    return timed("create " + key, true, () -> super.create(key, data));
  }

  @Override
  public Version replace(String key, byte[] data, Version expected) {
    return timed("replace " + key, true, () -> super.replace(key, data, expected));
  }

  @Override
  public Version put(String key, byte[] data) {
    return timed("put " + key, true, () -> super.put(key, data));
  }

  @Override
  public void delete(String key) {
    timed(
        "delete " + key,
        true,
        () -> {
          super.delete(key);
          return null;
        });
  }

  @Override
  public String describe() {
    return "slow(" + super.describe() + ", " + latency.toMillis() + "ms)";
  }

  private <T> T timed(String what, boolean write, Supplier<T> op) {
    Duration total = nextLatency();
    Duration before = total.dividedBy(2);
    Duration after = total.minus(before);
    try {
      sleep(before);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted before " + what + " was sent", e);
    }
    T result;
    try {
      result = op.get();
    } catch (RuntimeException failure) {
      sleepAfter(after, what, write); // an error answer travels back, too
      throw failure;
    }
    sleepAfter(after, what, write);
    return result;
  }

  private void sleepAfter(Duration after, String what, boolean write) {
    try {
      sleep(after);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (write) {
        throw new OutcomeUnknownException("interrupted while waiting for the answer to " + what, e);
      }
      throw new StorageException("interrupted while waiting for the answer to " + what, e);
    }
  }

  private void sleep(Duration d) throws InterruptedException {
    if (!d.isZero()) {
      sleeper.sleep(d);
    }
  }

  private Duration nextLatency() {
    if (jitter.isZero()) {
      return latency;
    }
    long extra;
    synchronized (random) {
      extra = random.nextLong(jitter.toNanos() + 1);
    }
    return latency.plusNanos(extra);
  }
}
