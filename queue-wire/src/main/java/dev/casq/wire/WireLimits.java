package dev.casq.wire;

import dev.casq.core.QueuePolicy;
import java.time.Duration;
import java.time.Instant;

/**
 * The bounds of the HTTP API, in one place: the broker's reader enforces them, the Java client
 * checks against them before sending, and docs/broker.md and docs/openapi.yaml state the same
 * numbers (a test reads them from here).
 */
public final class WireLimits {
  /** Longest long-poll wait a claim may ask for. */
  public static final Duration MAX_WAIT = Duration.ofSeconds(60);

  /** Most jobs in one batch push. */
  public static final int MAX_BATCH = 1000;

  /** Most jobs in one batch completion. */
  public static final int MAX_COMPLETE_BATCH = 1000;

  /** Longest job id in a batch completion, in characters (the queue's ids are far shorter). */
  public static final int MAX_JOB_ID_CHARS = 256;

  /** Most jobs one claim may lease. */
  public static final int MAX_CLAIM_LIMIT = QueuePolicy.MAX_CLAIM_BATCH;

  /** Most entries in a claim's {@code types} list. */
  public static final int MAX_CLAIM_TYPES = 64;

  /** Longest job type, in characters (the queue's own limit). */
  public static final int MAX_TYPE_CHARS = QueuePolicy.MAX_TYPE_LENGTH;

  /** Longest idempotency key, in characters (the queue's own limit). */
  public static final int MAX_KEY_CHARS = QueuePolicy.MAX_KEY_LENGTH;

  /** Highest priority; the lowest is its negation (the queue's own limit). */
  public static final int MAX_PRIORITY = QueuePolicy.MAX_PRIORITY;

  /** Most attempts a job may be given (the queue's own limit). */
  public static final int MAX_ATTEMPTS = QueuePolicy.MAX_ATTEMPTS;

  /** Longest worker name, in characters (the queue's own limit). */
  public static final int MAX_WORKER_CHARS = QueuePolicy.MAX_WORKER_LENGTH;

  /** Longest claim request id, in characters (the queue's own limit). */
  public static final int MAX_CLAIM_REQUEST_ID_CHARS = QueuePolicy.MAX_CLAIM_REQUEST_ID_LENGTH;

  /** Longest error text of a failed attempt, in characters (the queue's own limit). */
  public static final int MAX_ERROR_CHARS = QueuePolicy.MAX_ERROR_LENGTH;

  /** Longest lease token, in characters (the broker's tokens are far shorter). */
  public static final int MAX_LEASE_TOKEN_CHARS = 256;

  /** Longest broker id in a hand-over request. */
  public static final int MAX_BROKER_ID_CHARS = 128;

  /** Longest broker address in a hand-over request. */
  public static final int MAX_ADDRESS_CHARS = 2048;

  /** Longest duration any field may give (delay, lease, extend; wait has its own bound). */
  public static final Duration MAX_DURATION = Duration.ofDays(3650);

  /** Earliest instant a field may give. */
  public static final Instant MIN_INSTANT = Instant.parse("1970-01-01T00:00:00Z");

  /** Latest instant a field may give. */
  public static final Instant MAX_INSTANT = Instant.parse("9999-12-31T23:59:59Z");

  /** Default bound of JSON nesting in a request body. */
  public static final int DEFAULT_MAX_DEPTH = 64;

  private WireLimits() {}

  /** The most jobs one page of {@code GET .../jobs} holds. */
  public static final int MAX_LIST_LIMIT = 1000;

  /** Jobs per page of {@code GET .../jobs} when the query gives no {@code limit}. */
  public static final int DEFAULT_LIST_LIMIT = 100;

  /** The longest cron expression of a schedule. */
  public static final int MAX_CRON_CHARS = dev.casq.api.Schedule.MAX_CRON_LENGTH;
}
