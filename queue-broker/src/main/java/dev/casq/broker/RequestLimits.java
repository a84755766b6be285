package dev.casq.broker;

/**
 * The broker's own operating bounds (the bounds of request bodies are the wire format's: {@link
 * dev.casq.wire.WireLimits}). docs/broker.md states the same numbers.
 */
final class RequestLimits {
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
