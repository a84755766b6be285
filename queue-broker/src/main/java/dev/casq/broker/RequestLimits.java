package dev.casq.broker;

import dev.casq.core.QueuePolicy;
import java.time.Duration;
import java.time.Instant;

/**
 * The bounds the broker enforces at its edge, in one place: the request parser checks them, the
 * broker's builder uses the defaults, and docs/broker.md and docs/openapi.yaml state the same
 * numbers (tests read them from here).
 */
final class RequestLimits {
  /** Longest long-poll wait a claim may ask for. */
  static final Duration MAX_WAIT = Duration.ofSeconds(60);
  /** Most jobs in one batch push. */
  static final int MAX_BATCH = 1000;
  /** Most entries in a claim's {@code types} list. */
  static final int MAX_CLAIM_TYPES = 64;
  /** Longest job type, in characters (the queue's own limit). */
  static final int MAX_TYPE_CHARS = QueuePolicy.MAX_TYPE_LENGTH;
  /** Longest idempotency key, in characters (the queue's own limit). */
  static final int MAX_KEY_CHARS = QueuePolicy.MAX_KEY_LENGTH;
  /** Longest worker name, in characters (the queue's own limit). */
  static final int MAX_WORKER_CHARS = QueuePolicy.MAX_WORKER_LENGTH;
  /** Longest claim request id, in characters (the queue's own limit). */
  static final int MAX_CLAIM_REQUEST_ID_CHARS = QueuePolicy.MAX_CLAIM_REQUEST_ID_LENGTH;
  /** Longest error text of a failed attempt, in characters (the queue's own limit). */
  static final int MAX_ERROR_CHARS = QueuePolicy.MAX_ERROR_LENGTH;
  /** Longest lease token, in characters (the broker's tokens are far shorter). */
  static final int MAX_LEASE_TOKEN_CHARS = 256;
  /** Longest duration any field may give (delay, lease, extend, wait before its own bound). */
  static final Duration MAX_DURATION = Duration.ofDays(3650);
  /** Earliest instant a field may give. */
  static final Instant MIN_INSTANT = Instant.parse("1970-01-01T00:00:00Z");
  /** Latest instant a field may give. */
  static final Instant MAX_INSTANT = Instant.parse("9999-12-31T23:59:59Z");

  /** Default bound of commands waiting in one queue's engine before requests get 503. */
  static final int DEFAULT_MAX_QUEUED_COMMANDS = 50_000;
  /** Default bound of long-poll claims waiting on one queue. */
  static final int DEFAULT_MAX_CLAIM_WAITERS = 10_000;
  /** Default bound of open connections. */
  static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  /** Seconds an overloaded broker asks clients to wait before retrying. */
  static final int OVERLOAD_RETRY_AFTER_SECONDS = 1;

  private RequestLimits() {}
}
