package dev.casq.core;

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
 */
public record EngineOptions(
    Duration minCommitInterval,
    int maxBatchSize,
    int maxConflictRetries,
    int archiveBatchSize,
    Duration archiveMaxDelay,
    Clock clock,
    Supplier<String> tokens,
    int maxObjectBytes) {

  /** The largest queue object, by default: 64 MiB. */
  public static final int DEFAULT_MAX_OBJECT_BYTES = 64 << 20;

  /** Options with the default {@link #maxObjectBytes}. */
  public EngineOptions(Duration minCommitInterval, int maxBatchSize, int maxConflictRetries,
      int archiveBatchSize, Duration archiveMaxDelay, Clock clock, Supplier<String> tokens) {
    this(minCommitInterval, maxBatchSize, maxConflictRetries, archiveBatchSize, archiveMaxDelay,
        clock, tokens, DEFAULT_MAX_OBJECT_BYTES);
  }

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
    if (archiveBatchSize < 1) {
      throw new IllegalArgumentException("archiveBatchSize must be >= 1");
    }
  }

  public static EngineOptions defaults() {
    return new EngineOptions(
        null, 20_000, 1_000, 1_000, Duration.ofSeconds(5), Clock.systemUTC(), Tokens.secure());
  }
}
