package dev.casq.broker;

import dev.casq.core.BrokerRecord;
import dev.casq.storage.CasqException;

/** A request failed in a way that has a defined HTTP status and error code. */
final class ApiException extends CasqException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final transient BrokerRecord broker;

  ApiException(int status, String code, String message) {
    this(status, code, message, null);
  }

  ApiException(int status, String code, String message, BrokerRecord broker) {
    super(message);
    this.status = status;
    this.code = code;
    this.broker = broker;
  }

  static ApiException invalid(String message) {
    return new ApiException(400, ErrorCode.INVALID_REQUEST, message);
  }

  static ApiException notFound(String message) {
    return new ApiException(404, ErrorCode.NOT_FOUND, message);
  }

  static ApiException unavailable(String message) {
    return new ApiException(503, ErrorCode.UNAVAILABLE, message);
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  /** For 421: the broker that serves the queue now, or null when unknown. */
  BrokerRecord broker() {
    return broker;
  }
}
