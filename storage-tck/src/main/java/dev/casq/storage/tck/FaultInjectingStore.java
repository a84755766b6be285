package dev.casq.storage.tck;

import dev.casq.storage.ObjectStore;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.StorageException;
import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A store that injects the failures a real store shows, with seeded randomness:
 *
 * <ul>
 *   <li><b>before the write</b>: the write throws {@link OutcomeUnknownException} and nothing is
 *       written (a request lost on the way, a timeout before the server saw it);
 *   <li><b>after the write</b>: the request reaches the delegate, and whatever it answered
 *       (success, or a lost race) the caller gets {@link OutcomeUnknownException} (an answer lost
 *       on the way back, a 500 after the fact); when the delegate succeeded, the write landed;
 *   <li><b>read failures</b>: {@code read} and {@code list} throw {@link StorageException}.
 * </ul>
 *
 * Writes are {@code create}, {@code replace}, {@code put} and {@code delete} (or only the first two
 * with {@link Builder#conditionalWritesOnly()}). Every write draws one number from a {@link
 * SplittableRandom} seeded by {@link Builder#seed(long)}, every read or list another, under one
 * lock: a single-threaded sequence of calls meets the same faults for the same seed. Faults can be
 * switched off and on at runtime with {@link #setEnabled(boolean)}, and one-off faults can be
 * scheduled for the next writes with {@link #failNextWrite(Fault)}; scheduled faults apply even
 * while random injection is switched off.
 */
public final class FaultInjectingStore extends DelegatingObjectStore {

  /** Where a write fails. */
  public enum Fault {
    /** Nothing is written; the caller gets an unknown outcome. */
    BEFORE_WRITE,
    /** The delegate handles the write; the caller gets an unknown outcome. */
    AFTER_WRITE
  }

  private final double beforeWrite;
  private final double afterWrite;
  private final double readFailure;
  private final boolean conditionalOnly;
  private final Object lock = new Object();
  private final SplittableRandom random; // guarded by lock
  private final Deque<Fault> scheduled = new ArrayDeque<>(); // guarded by lock
  private volatile boolean enabled = true;

  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong reads = new AtomicLong();
  private final AtomicLong faultsBeforeWrite = new AtomicLong();
  private final AtomicLong faultsAfterWrite = new AtomicLong();
  private final AtomicLong faultsAfterLandedWrite = new AtomicLong();
  private final AtomicLong readFailures = new AtomicLong();

  private FaultInjectingStore(Builder b) {
    super(b.delegate);
    this.beforeWrite = b.beforeWrite;
    this.afterWrite = b.afterWrite;
    this.readFailure = b.readFailure;
    this.conditionalOnly = b.conditionalOnly;
    this.random = new SplittableRandom(b.seed);
  }

  /** Starts building a fault-injecting store around {@code delegate}. */
  public static Builder builder(ObjectStore delegate) {
    return new Builder(delegate);
  }

  /** Configuration of a {@link FaultInjectingStore}. */
  public static final class Builder {
    private final ObjectStore delegate;
    private long seed = 1;
    private double beforeWrite;
    private double afterWrite;
    private double readFailure;
    private boolean conditionalOnly;

    private Builder(ObjectStore delegate) {
      this.delegate = delegate;
    }

    /** The seed of the fault sequence (default 1). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Probability that a write fails before reaching the delegate. */
    public Builder failBeforeWrite(double probability) {
      this.beforeWrite = probability(probability, "failBeforeWrite");
      return this;
    }

    /** Probability that a write reaches the delegate and its answer is replaced by an unknown. */
    public Builder failAfterWrite(double probability) {
      this.afterWrite = probability(probability, "failAfterWrite");
      return this;
    }

    /** Probability that a read or list throws {@link StorageException}. */
    public Builder failReads(double probability) {
      this.readFailure = probability(probability, "failReads");
      return this;
    }

    /** Injects write faults into {@code create} and {@code replace} only. */
    public Builder conditionalWritesOnly() {
      this.conditionalOnly = true;
      return this;
    }

    public FaultInjectingStore build() {
      if (beforeWrite + afterWrite > 1.0) {
        throw new IllegalArgumentException(
            "failBeforeWrite + failAfterWrite must not exceed 1, got "
                + (beforeWrite + afterWrite));
      }
      return new FaultInjectingStore(this);
    }

    private static double probability(double p, String name) {
      if (!(p >= 0.0 && p <= 1.0)) {
        throw new IllegalArgumentException(name + " must be a probability from 0 to 1, got " + p);
      }
      return p;
    }
  }

  /** Switches random fault injection on or off (scheduled faults still apply). */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public boolean isEnabled() {
    return enabled;
  }

  /** Makes the next write (after any already scheduled) fail with {@code fault}. */
  public void failNextWrite(Fault fault) {
    synchronized (lock) {
      scheduled.addLast(fault);
    }
  }

  /** Writes attempted through this store. */
  public long writes() {
    return writes.get();
  }

  /** Reads and lists attempted through this store. */
  public long reads() {
    return reads.get();
  }

  /** Writes failed before reaching the delegate. */
  public long faultsBeforeWrite() {
    return faultsBeforeWrite.get();
  }

  /** Writes whose answer was replaced by an unknown outcome (landed or not). */
  public long faultsAfterWrite() {
    return faultsAfterWrite.get();
  }

  /** Of {@link #faultsAfterWrite()}, those where the delegate had succeeded: the write landed. */
  public long faultsAfterLandedWrite() {
    return faultsAfterLandedWrite.get();
  }

  /** Reads and lists failed. */
  public long readFailures() {
    return readFailures.get();
  }

  /** All faults injected so far. */
  public long faultsInjected() {
    return faultsBeforeWrite() + faultsAfterWrite() + readFailures();
  }

  @Override
  public Optional<VersionedBytes> read(String key) {
    maybeFailRead("read " + key);
    return super.read(key);
  }

  @Override
  public List<String> list(String prefix) {
    maybeFailRead("list " + prefix);
    return super.list(prefix);
  }

  @Override
  public Version create(String key, byte[] data) {
    return write("create " + key, true, () -> super.create(key, data));
  }

  @Override
  public Version replace(String key, byte[] data, Version expected) {
    return write("replace " + key, true, () -> super.replace(key, data, expected));
  }

  @Override
  public Version put(String key, byte[] data) {
    return write("put " + key, false, () -> super.put(key, data));
  }

  @Override
  public void delete(String key) {
    write(
        "delete " + key,
        false,
        () -> {
          super.delete(key);
          return null;
        });
  }

  @Override
  public String describe() {
    return "faulty(" + super.describe() + ")";
  }

  private <T> T write(String what, boolean conditional, Supplier<T> op) {
    writes.incrementAndGet();
    Fault fault = conditional || !conditionalOnly ? nextWriteFault() : null;
    if (fault == Fault.BEFORE_WRITE) {
      faultsBeforeWrite.incrementAndGet();
      throw new OutcomeUnknownException(
          "injected fault before the write reached the store: " + what);
    }
    if (fault == null) {
      return op.get();
    }
    faultsAfterWrite.incrementAndGet();
    try {
      var landed = op.get(); // the write lands; its answer is lost on the way back
      faultsAfterLandedWrite.incrementAndGet();
    } catch (PreconditionFailedException lostRace) {
      // the answer (a lost race) is lost on the way back, too
    }
    throw new OutcomeUnknownException("injected fault after the write reached the store: " + what);
  }

  private Fault nextWriteFault() {
    synchronized (lock) {
      Fault next = scheduled.pollFirst();
      if (next != null) {
        return next;
      }
      if (!enabled) {
        return null;
      }
      double u = random.nextDouble();
      if (u < beforeWrite) {
        return Fault.BEFORE_WRITE;
      }
      return u < beforeWrite + afterWrite ? Fault.AFTER_WRITE : null;
    }
  }

  private void maybeFailRead(String what) {
    reads.incrementAndGet();
    boolean fail;
    synchronized (lock) {
      fail = enabled && readFailure > 0 && random.nextDouble() < readFailure;
    }
    if (fail) {
      readFailures.incrementAndGet();
      throw new StorageException("injected read failure: " + what);
    }
  }
}
