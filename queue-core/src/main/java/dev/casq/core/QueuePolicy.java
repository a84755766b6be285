package dev.casq.core;

import java.time.Duration;
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
 * @param idempotencyRetention how long the key of a finished job is still remembered
 * @param maxRememberedKeys the most keys of finished jobs remembered at once (oldest forgotten
 *     first)
 * @param maxPayloadBytes the largest payload (JSON text, UTF-8) a push may carry
 */
public record QueuePolicy(
    Duration defaultLease,
    Duration maxLease,
    int defaultMaxAttempts,
    Duration backoffBase,
    Duration backoffMax,
    Duration idempotencyRetention,
    int maxRememberedKeys,
    int maxPayloadBytes) {

  public static final int MAX_KEY_LENGTH = 256;
  public static final int MAX_TYPE_LENGTH = 128;
  public static final int MAX_WORKER_LENGTH = 256;
  public static final int MAX_ERROR_LENGTH = 4096;
  public static final int MAX_CLAIM_BATCH = 1000;

  public QueuePolicy {
    Objects.requireNonNull(defaultLease, "defaultLease");
    Objects.requireNonNull(maxLease, "maxLease");
    Objects.requireNonNull(backoffBase, "backoffBase");
    Objects.requireNonNull(backoffMax, "backoffMax");
    Objects.requireNonNull(idempotencyRetention, "idempotencyRetention");
    require(!defaultLease.isNegative() && !defaultLease.isZero(), "defaultLease must be positive");
    require(maxLease.compareTo(defaultLease) >= 0, "maxLease must be >= defaultLease");
    require(defaultMaxAttempts >= 1, "defaultMaxAttempts must be >= 1");
    require(!backoffBase.isNegative(), "backoffBase must not be negative");
    require(backoffMax.compareTo(backoffBase) >= 0, "backoffMax must be >= backoffBase");
    require(!idempotencyRetention.isNegative(), "idempotencyRetention must not be negative");
    require(maxRememberedKeys >= 0, "maxRememberedKeys must be >= 0");
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
        Duration.ofMinutes(2),
        20_000,
        256 * 1024);
  }

  /** Delay before retry number {@code attempts} (1-based): base * 2^(attempts-1), capped. */
  public Duration backoff(int attempts) {
    Duration d = backoffBase;
    for (int i = 1; i < attempts && d.compareTo(backoffMax) < 0; i++) {
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
