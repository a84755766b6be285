package dev.casq.broker;

import dev.casq.api.CasqException;
import dev.casq.core.internal.BrokerRecord;
import dev.casq.wire.ErrorCode;

/** A request failed in a way that has a defined HTTP status and error code. */
final class ApiException extends CasqException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final transient BrokerRecord broker;
  private final String allow;
  private final int retryAfterSeconds;

  ApiException(ErrorCode code, String message) {
    this(code, message, null);
  }

  ApiException(ErrorCode code, String message, BrokerRecord broker) {
    this(code, message, broker, null);
  }

  private ApiException(ErrorCode code, String message, BrokerRecord broker, String allow) {
    this(code, message, broker, allow, RequestLimits.OVERLOAD_RETRY_AFTER_SECONDS);
  }

  private ApiException(
      ErrorCode code, String message, BrokerRecord broker, String allow, int retryAfterSeconds) {
    super(message);
    this.code = code;
    this.broker = broker;
    this.allow = allow;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /**
   * 503 {@code unavailable} with {@code Retry-After: 0}: this broker is stopping or handing the
   * queue over and did not apply the request; the client retries at once (at the next broker).
   */
  static ApiException draining(String message) {
    return new ApiException(ErrorCode.UNAVAILABLE, message, null, null, 0);
  }

  /**
   * 503 {@code outcome_unknown} with {@code Retry-After: 0}: the request may or may not have been
   * applied; the client retries at once with the same idempotency key.
   */
  static ApiException outcomeUnknownRetryNow(String message) {
    return new ApiException(ErrorCode.OUTCOME_UNKNOWN, message, null, null, 0);
  }

  /** 405: the path exists but takes other methods; {@code allow} lists them ("GET, POST"). */
  static ApiException methodNotAllowed(String method, String path, String allow) {
    return new ApiException(
        ErrorCode.METHOD_NOT_ALLOWED,
        method + " is not allowed on " + path + "; it takes " + allow,
        null,
        allow);
  }

  /** 503 with code {@code overloaded}: too much waits already; retry after a moment. */
  static ApiException overloaded(String message) {
    return new ApiException(ErrorCode.OVERLOADED, message);
  }

  static ApiException invalid(String message) {
    return new ApiException(ErrorCode.INVALID_REQUEST, message);
  }

  static ApiException notFound(String message) {
    return new ApiException(ErrorCode.NOT_FOUND, message);
  }

  static ApiException unavailable(String message) {
    return new ApiException(ErrorCode.UNAVAILABLE, message);
  }

  /** The HTTP status, the code's own. */
  int status() {
    return code.status();
  }

  ErrorCode code() {
    return code;
  }

  /** For 503 and 429: the {@code Retry-After} seconds. */
  int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** For 405: the methods the path takes, or null. */
  String allow() {
    return allow;
  }

  /** For 421: the broker that serves the queue now, or null when unknown. */
  BrokerRecord broker() {
    return broker;
  }
}
