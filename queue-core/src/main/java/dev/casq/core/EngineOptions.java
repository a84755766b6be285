package dev.casq.core;

import dev.casq.api.QueueFullException;
import dev.casq.core.internal.Tokens;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How the group-commit engine writes.
 *
 * @param minCommitInterval the least time between two commits (for stores with per-object write
 *     limits); null to take the store's advertised minimum write interval
 * @param maxBatchSize the most commands applied in one write
 * @param maxConflictRetries how often one batch is re-applied after lost races before its callers
 *     get an error
 * @param archiveBatchSize archive finished jobs once this many wait in the hot object
 * @param archiveMaxDelay archive finished jobs once the oldest has waited this long
 * @param clock the clock for "now" (inject a fixed or manual clock in tests)
 * @param tokens the source of lease tokens and commit ids
 * @param maxObjectBytes pushes are refused ({@link QueueFullException}) while the queue object is
 *     this large or larger; the other requests (claims, completions) still work and shrink it
 * @param headMaxReadyJobs when the queue object holds more ready jobs than this at seal time, the
 *     worst-ordered ones beyond half of it move into an immutable segment object; 0 keeps every job
 *     in the queue object (segments named by an object are read either way)
 * @param headMaxBytes the queue object's byte budget: when a sealed queue object is larger and the
 *     leased jobs it holds make up at least an eighth of the budget, they move into an immutable
 *     leased-jobs object; 0 keeps every leased job in the queue object (leased-jobs objects named
 *     by an object are read either way)
 */
public record EngineOptions(
    Duration minCommitInterval,
    int maxBatchSize,
    int maxConflictRetries,
    int archiveBatchSize,
    Duration archiveMaxDelay,
    Clock clock,
    Supplier<String> tokens,
    int maxObjectBytes,
    int headMaxReadyJobs,
    int headMaxBytes) {

  /** The largest queue object, by default: 64 MiB. */
  public static final int DEFAULT_MAX_OBJECT_BYTES = 64 << 20;

  /**
   * Ready jobs the queue object holds at most before some move into a segment, by default: 2,000 (a
   * head of ~0.5 MB with 100-byte payloads), unless the system property {@code
   * casq.headMaxReadyJobs} says otherwise (0 turns segments off; the test suites run every engine
   * with tiny segments through it).
   */
  public static final int DEFAULT_HEAD_MAX_READY_JOBS =
      Integer.getInteger("casq.headMaxReadyJobs", 2_000);

  /**
   * The queue object's byte budget, by default: 1 MiB, unless the system property {@code
   * casq.headMaxBytes} says otherwise (0 turns it off; the test suites run engines with a tiny
   * budget through it).
   */
  public static final int DEFAULT_HEAD_MAX_BYTES = Integer.getInteger("casq.headMaxBytes", 1 << 20);

  /** Options with the default {@link #headMaxBytes}. */
  public EngineOptions(
      Duration minCommitInterval,
      int maxBatchSize,
      int maxConflictRetries,
      int archiveBatchSize,
      Duration archiveMaxDelay,
      Clock clock,
      Supplier<String> tokens,
      int maxObjectBytes,
      int headMaxReadyJobs) {
    this(
        minCommitInterval,
        maxBatchSize,
        maxConflictRetries,
        archiveBatchSize,
        archiveMaxDelay,
        clock,
        tokens,
        maxObjectBytes,
        headMaxReadyJobs,
        DEFAULT_HEAD_MAX_BYTES);
  }

  /** Options with the default {@link #headMaxReadyJobs} and {@link #headMaxBytes}. */
  public EngineOptions(
      Duration minCommitInterval,
      int maxBatchSize,
      int maxConflictRetries,
      int archiveBatchSize,
      Duration archiveMaxDelay,
      Clock clock,
      Supplier<String> tokens,
      int maxObjectBytes) {
    this(
        minCommitInterval,
        maxBatchSize,
        maxConflictRetries,
        archiveBatchSize,
        archiveMaxDelay,
        clock,
        tokens,
        maxObjectBytes,
        DEFAULT_HEAD_MAX_READY_JOBS);
  }

  /** Options with the default {@link #maxObjectBytes}. */
  public EngineOptions(
      Duration minCommitInterval,
      int maxBatchSize,
      int maxConflictRetries,
      int archiveBatchSize,
      Duration archiveMaxDelay,
      Clock clock,
      Supplier<String> tokens) {
    this(
        minCommitInterval,
        maxBatchSize,
        maxConflictRetries,
        archiveBatchSize,
        archiveMaxDelay,
        clock,
        tokens,
        DEFAULT_MAX_OBJECT_BYTES);
  }

  /**
   * Creates engine options, checking their bounds.
   *
   * @param minCommitInterval the least time between commits (not negative), or null for the store's
   * @param maxBatchSize the most commands per write, at least 1
   * @param maxConflictRetries re-applications after lost races, 0 or more
   * @param archiveBatchSize finished jobs per archive object, at least 1
   * @param archiveMaxDelay the longest a finished job waits for archiving
   * @param clock the clock
   * @param tokens the source of lease tokens and commit ids
   * @param maxObjectBytes the queue object size at which pushes are refused, at least 1024
   * @param headMaxReadyJobs the bound on ready jobs in the queue object, 0 or more (0: no segments)
   * @param headMaxBytes the queue object's byte budget, 0 or more (0: leased jobs stay in it)
   * @throws NullPointerException if {@code archiveMaxDelay}, {@code clock} or {@code tokens} is
   *     null
   * @throws IllegalArgumentException if a number is out of its bounds
   */
  public EngineOptions {
    Objects.requireNonNull(archiveMaxDelay, "archiveMaxDelay");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(tokens, "tokens");
    if (minCommitInterval != null && minCommitInterval.isNegative()) {
      throw new IllegalArgumentException("minCommitInterval must not be negative");
    }
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("maxBatchSize must be >= 1");
    }
    if (maxConflictRetries < 0) {
      throw new IllegalArgumentException("maxConflictRetries must be >= 0");
    }
    if (maxObjectBytes < 1024) {
      throw new IllegalArgumentException("maxObjectBytes must be >= 1024, got " + maxObjectBytes);
    }
    if (headMaxReadyJobs < 0) {
      throw new IllegalArgumentException("headMaxReadyJobs must be >= 0, got " + headMaxReadyJobs);
    }
    if (headMaxBytes < 0) {
      throw new IllegalArgumentException("headMaxBytes must be >= 0, got " + headMaxBytes);
    }
    if (archiveBatchSize < 1) {
      throw new IllegalArgumentException("archiveBatchSize must be >= 1");
    }
  }

  /** These options with another {@link #headMaxReadyJobs} (0: no segments). */
  public EngineOptions withHeadMaxReadyJobs(int jobs) {
    return new EngineOptions(
        minCommitInterval,
        maxBatchSize,
        maxConflictRetries,
        archiveBatchSize,
        archiveMaxDelay,
        clock,
        tokens,
        maxObjectBytes,
        jobs,
        headMaxBytes);
  }

  /** These options with another {@link #headMaxBytes} (0: leased jobs stay in the head). */
  public EngineOptions withHeadMaxBytes(int bytes) {
    return new EngineOptions(
        minCommitInterval,
        maxBatchSize,
        maxConflictRetries,
        archiveBatchSize,
        archiveMaxDelay,
        clock,
        tokens,
        maxObjectBytes,
        headMaxReadyJobs,
        bytes);
  }

  /**
   * The default engine options: the store's commit interval, batches of up to 20,000 commands,
   * 1,000 conflict retries, archive groups of 1,000 or every 5 s, the UTC system clock, secure
   * random tokens and the default object size and head bound.
   *
   * @return the defaults
   */
  public static EngineOptions defaults() {
    return new EngineOptions(
        null, 20_000, 1_000, 1_000, Duration.ofSeconds(5), Clock.systemUTC(), Tokens.secure());
  }
}
