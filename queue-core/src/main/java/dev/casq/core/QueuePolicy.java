package dev.casq.core;

import dev.casq.api.IdempotencyBudgetException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The rules the state machine applies: defaults for new jobs and bounds on requests. Part of {@link
 * QueueOptions}; a value, so the state machine stays a pure function of (state, command, now).
 *
 * @param defaultLease lease duration when a claim does not name one
 * @param maxLease the longest lease a claim or heartbeat may ask for
 * @param defaultMaxAttempts attempts before a job goes dead, when a push does not say
 * @param backoffBase delay before the first retry after a failure; doubles with each attempt
 * @param backoffMax the longest retry delay
 * @param idempotencyRetention how long the key of a finished job is still remembered: the dedupe
 *     window, by time only
 * @param idempotencyMemoryBudget bytes of memory the queue's idempotency keys may take ({@link
 *     #BYTES_PER_KEY} a key): at the budget, pushes with a new key are refused ({@link
 *     IdempotencyBudgetException}) rather than forgetting a key early
 * @param maxPayloadBytes the largest payload (JSON text, UTF-8) a push may carry
 */
public record QueuePolicy(
    Duration defaultLease,
    Duration maxLease,
    int defaultMaxAttempts,
    Duration backoffBase,
    Duration backoffMax,
    Duration idempotencyRetention,
    long idempotencyMemoryBudget,
    int maxPayloadBytes) {

  // Bounds on what a request may carry. Every value that feeds arithmetic on instants and
  // durations is bounded here, so the arithmetic cannot overflow; the README lists them.
  /** The longest idempotency key, in characters. */
  public static final int MAX_KEY_LENGTH = 256;

  /** The longest job type (in a push or a claim's type filter), in characters. */
  public static final int MAX_TYPE_LENGTH = 128;

  /** The longest worker id a claim may carry, in characters. */
  public static final int MAX_WORKER_LENGTH = 256;

  /** The longest claim request id a claim may carry, in characters. */
  public static final int MAX_CLAIM_REQUEST_ID_LENGTH = 128;

  /** The longest job id a request may name, in characters. */
  public static final int MAX_JOB_ID_LENGTH = 64;

  /** The longest lease token a request may carry, in characters. */
  public static final int MAX_TOKEN_LENGTH = 256;

  /**
   * The longest error a failure may record, in characters; longer errors are truncated, not
   * refused.
   */
  public static final int MAX_ERROR_LENGTH = 4096;

  /** The most jobs one claim may ask for. */
  public static final int MAX_CLAIM_BATCH = 1000;

  /** The most types one claim may filter on. */
  public static final int MAX_CLAIM_TYPES = 64;

  /** maxAttempts of a push (and of the policy) is 1 to this. */
  public static final int MAX_ATTEMPTS = 1000;

  /** A push's priority is within +- this. */
  public static final int MAX_PRIORITY = 1_000_000;

  /** The deepest nesting of arrays and objects a payload or result may have. */
  public static final int MAX_PAYLOAD_DEPTH = 500;

  /** The most characters one number in a payload or result may have (Jackson's default). */
  public static final int MAX_PAYLOAD_NUMBER_LENGTH = 1000;

  /** The most characters one object key in a payload or result may have (Jackson's default). */
  public static final int MAX_PAYLOAD_NAME_LENGTH = 50_000;

  /** The earliest runAt a push may name: 2000-01-01T00:00:00Z. */
  public static final Instant MIN_RUN_AT = Instant.parse("2000-01-01T00:00:00Z");

  /**
   * How far ahead of now a push may schedule, by runAt or by delay: 36,500 days (about 100 years).
   * Keeps every instant the queue computes far from the ends of Instant and of a nanosecond count
   * (about 292 years).
   */
  public static final Duration MAX_SCHEDULE_AHEAD = Duration.ofDays(36_500);

  /**
   * Bytes one idempotency key is counted at against {@code idempotencyMemoryBudget}: a remembered
   * key takes 24 bytes in its table plus 4 to 5.3 of index when the table is full (see
   * docs/benchmarks.md); 40 bounds that with room for the live keys' own indexes.
   */
  public static final int BYTES_PER_KEY = 40;

  /** The smallest idempotency memory budget: 1 MiB. */
  public static final long MIN_IDEMPOTENCY_MEMORY_BUDGET = 1L << 20;

  /** The largest idempotency memory budget: 32 GiB (about 860 million keys). */
  public static final long MAX_IDEMPOTENCY_MEMORY_BUDGET = 32L << 30;

  /** The default idempotency memory budget: 256 MiB, about 6.7 million keys. */
  public static final long DEFAULT_IDEMPOTENCY_MEMORY_BUDGET = 256L << 20;

  /**
   * The default dedupe window: 5 minutes, ten times the 30 s for which casq's Java client retries a
   * call (its {@code RetryPolicy} deadline), so a retry after a failover always finds its key.
   */
  public static final Duration DEFAULT_IDEMPOTENCY_RETENTION = Duration.ofMinutes(5);

  /** The longest lease, backoff or key retention a policy may configure: 3,650 days. */
  public static final Duration MAX_POLICY_DURATION = Duration.ofDays(3_650);

  /**
   * Creates a policy, checking every value against the bounds above.
   *
   * @param defaultLease the default lease: positive, at most {@code maxLease}
   * @param maxLease the longest lease: at most {@link #MAX_POLICY_DURATION}
   * @param defaultMaxAttempts the default attempt limit: 1 to {@value #MAX_ATTEMPTS}
   * @param backoffBase the first retry delay: not negative
   * @param backoffMax the longest retry delay: at least {@code backoffBase}, at most {@link
   *     #MAX_POLICY_DURATION}
   * @param idempotencyRetention how long keys of finished jobs are remembered: 0 to {@link
   *     #MAX_POLICY_DURATION}
   * @param idempotencyMemoryBudget bytes the idempotency keys may take: {@link
   *     #MIN_IDEMPOTENCY_MEMORY_BUDGET} to {@link #MAX_IDEMPOTENCY_MEMORY_BUDGET}
   * @param maxPayloadBytes the largest payload: at least 2 bytes
   * @throws NullPointerException if a duration is null
   * @throws IllegalArgumentException if a value is out of its bounds
   */
  public QueuePolicy {
    Objects.requireNonNull(defaultLease, "defaultLease");
    Objects.requireNonNull(maxLease, "maxLease");
    Objects.requireNonNull(backoffBase, "backoffBase");
    Objects.requireNonNull(backoffMax, "backoffMax");
    Objects.requireNonNull(idempotencyRetention, "idempotencyRetention");
    require(!defaultLease.isNegative() && !defaultLease.isZero(), "defaultLease must be positive");
    require(maxLease.compareTo(defaultLease) >= 0, "maxLease must be >= defaultLease");
    require(
        maxLease.compareTo(MAX_POLICY_DURATION) <= 0,
        "maxLease must be at most " + MAX_POLICY_DURATION);
    require(
        defaultMaxAttempts >= 1 && defaultMaxAttempts <= MAX_ATTEMPTS,
        "defaultMaxAttempts must be from 1 to " + MAX_ATTEMPTS);
    require(!backoffBase.isNegative(), "backoffBase must not be negative");
    require(backoffMax.compareTo(backoffBase) >= 0, "backoffMax must be >= backoffBase");
    require(
        backoffMax.compareTo(MAX_POLICY_DURATION) <= 0,
        "backoffMax must be at most " + MAX_POLICY_DURATION);
    require(!idempotencyRetention.isNegative(), "idempotencyRetention must not be negative");
    require(
        idempotencyRetention.compareTo(MAX_POLICY_DURATION) <= 0,
        "idempotencyRetention must be at most " + MAX_POLICY_DURATION);
    require(
        idempotencyMemoryBudget >= MIN_IDEMPOTENCY_MEMORY_BUDGET
            && idempotencyMemoryBudget <= MAX_IDEMPOTENCY_MEMORY_BUDGET,
        "idempotencyMemoryBudget must be from "
            + MIN_IDEMPOTENCY_MEMORY_BUDGET
            + " to "
            + MAX_IDEMPOTENCY_MEMORY_BUDGET
            + " bytes, got "
            + idempotencyMemoryBudget);
    require(maxPayloadBytes >= 2, "maxPayloadBytes must be >= 2");
  }

  /** The defaults documented in the README. */
  public static QueuePolicy defaults() {
    return new QueuePolicy(
        Duration.ofSeconds(30),
        Duration.ofHours(12),
        5,
        Duration.ofSeconds(1),
        Duration.ofMinutes(5),
        DEFAULT_IDEMPOTENCY_RETENTION,
        DEFAULT_IDEMPOTENCY_MEMORY_BUDGET,
        256 * 1024);
  }

  /**
   * How many idempotency keys the memory budget holds: keyed pushes with a new key are refused
   * while the queue holds this many.
   *
   * @return the budget divided by {@link #BYTES_PER_KEY}
   */
  public long idempotencyKeyCapacity() {
    return idempotencyMemoryBudget / BYTES_PER_KEY;
  }

  /**
   * Delay before retry number {@code attempts} (1-based): base * 2^(attempts-1), capped at
   * backoffMax. Doubles only while below half the cap, so it cannot overflow for any attempts
   * count, and takes at most ~64 steps.
   */
  public Duration backoff(int attempts) {
    Duration d = backoffBase;
    Duration half = backoffMax.dividedBy(2);
    for (int i = 1; i < attempts && !d.isZero(); i++) {
      if (d.compareTo(half) > 0) {
        return backoffMax;
      }
      d = d.multipliedBy(2);
    }
    return d.compareTo(backoffMax) > 0 ? backoffMax : d;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
