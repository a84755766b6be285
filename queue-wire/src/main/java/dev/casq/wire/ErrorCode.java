package dev.casq.wire;

import java.util.Locale;
import java.util.Optional;

/**
 * The error codes of the HTTP API, as sent in {@code {"error": {"code": ..., "message": ...}}},
 * each with the HTTP status the broker answers it with. Clients branch on the code, never on the
 * message.
 */
public enum ErrorCode {
  /** The request is malformed or a value is out of bounds; nothing changed. */
  INVALID_REQUEST(400),
  /** A {@code /v1} request without the broker's bearer token, or with a wrong one. */
  UNAUTHORIZED(401),
  /** An admin request the broker does not allow from this caller. */
  FORBIDDEN(403),
  /** No such route, or no live job with this id. */
  NOT_FOUND(404),
  /** The broker serves no queue of this name. */
  UNKNOWN_QUEUE(404),
  /** The path does not take this method ({@code Allow} lists the ones it takes). */
  METHOD_NOT_ALLOWED(405),
  /** The lease token does not hold the job's current lease. */
  LEASE_REJECTED(409),
  /** A planned hand-over was refused (the successor is not ready, or one is in progress). */
  HANDOVER_REFUSED(409),
  /** The body, or a payload in it, is over the broker's size limit. */
  PAYLOAD_TOO_LARGE(413),
  /** The body is not {@code application/json} in UTF-8. */
  UNSUPPORTED_MEDIA_TYPE(415),
  /** This broker does not serve the queue (any more); the body names the broker that does. */
  NOT_BROKER(421),
  /** The queue holds as many jobs as it may. */
  QUEUE_FULL(429),
  /** The idempotency keys of the retention window fill the broker's memory budget. */
  IDEMPOTENCY_BUDGET(429),
  /** A bug in the broker (logged there). */
  INTERNAL(500),
  /** The queue cannot be served now (starting, stopping, storage down); retry. */
  UNAVAILABLE(503),
  /** Too much in flight; retry after {@code Retry-After}. */
  OVERLOADED(503),
  /** The write's commit outcome is unknown; retry with the same idempotency key. */
  OUTCOME_UNKNOWN(503);

  private final int status;
  private final String wireName;

  ErrorCode(int status) {
    this.status = status;
    this.wireName = name().toLowerCase(Locale.ROOT);
  }

  /** The HTTP status the broker answers this code with. */
  public int status() {
    return status;
  }

  /** The code as it appears on the wire, e.g. {@code invalid_request}. */
  public String wireName() {
    return wireName;
  }

  /**
   * The code of a wire name; empty for a name this version does not know (a newer broker's), which
   * a client then treats by its HTTP status.
   *
   * @param wireName the code as sent, may be null
   * @return the code, or empty
   */
  public static Optional<ErrorCode> ofWire(String wireName) {
    if (wireName == null) {
      return Optional.empty();
    }
    for (ErrorCode c : values()) {
      if (c.wireName.equals(wireName)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return wireName;
  }
}
