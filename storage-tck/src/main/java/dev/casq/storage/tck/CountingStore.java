package dev.casq.storage.tck;

import dev.casq.storage.ObjectStore;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A store that counts the calls made through it and the outcomes of conditional writes, for tests
 * that assert how much I/O something did (for example how many commits a batch took).
 */
public final class CountingStore extends DelegatingObjectStore {
  private final AtomicLong reads = new AtomicLong();
  private final AtomicLong creates = new AtomicLong();
  private final AtomicLong replaces = new AtomicLong();
  private final AtomicLong puts = new AtomicLong();
  private final AtomicLong lists = new AtomicLong();
  private final AtomicLong deletes = new AtomicLong();
  private final AtomicLong preconditionFailures = new AtomicLong();
  private final AtomicLong unknownOutcomes = new AtomicLong();

  public CountingStore(ObjectStore delegate) {
    super(delegate);
  }

  /**
   * The counts at one moment. {@code creates} and {@code replaces} count attempts; the failures
   * among them are in {@code preconditionFailures} and {@code unknownOutcomes}.
   */
  public record Counts(
      long reads,
      long creates,
      long replaces,
      long puts,
      long lists,
      long deletes,
      long preconditionFailures,
      long unknownOutcomes) {

    /** Conditional writes attempted (creates + replaces). */
    public long conditionalWrites() {
      return creates + replaces;
    }

    /** Conditional writes that succeeded. */
    public long successfulConditionalWrites() {
      return creates + replaces - preconditionFailures - unknownOutcomes;
    }
  }

  /** The counts now. */
  public Counts counts() {
    return new Counts(
        reads.get(),
        creates.get(),
        replaces.get(),
        puts.get(),
        lists.get(),
        deletes.get(),
        preconditionFailures.get(),
        unknownOutcomes.get());
  }

  @Override
  public Optional<VersionedBytes> read(String key) {
    reads.incrementAndGet();
    return super.read(key);
  }

  @Override
  public Version create(String key, byte[] data) {
    creates.incrementAndGet();
    return conditional(() -> super.create(key, data));
  }

  @Override
  public Version replace(String key, byte[] data, Version expected) {
    replaces.incrementAndGet();
    return conditional(() -> super.replace(key, data, expected));
  }

  @Override
  public Version put(String key, byte[] data) {
    puts.incrementAndGet();
    return super.put(key, data);
  }

  @Override
  public List<String> list(String prefix) {
    lists.incrementAndGet();
    return super.list(prefix);
  }

  @Override
  public void delete(String key) {
    deletes.incrementAndGet();
    super.delete(key);
  }

  private Version conditional(Supplier<Version> write) {
    try {
      return write.get();
    } catch (PreconditionFailedException e) {
      preconditionFailures.incrementAndGet();
      throw e;
    } catch (OutcomeUnknownException e) {
      unknownOutcomes.incrementAndGet();
      throw e;
    }
  }
}
