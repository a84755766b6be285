package dev.casq.broker;

/** The error codes of the HTTP API ({@code {"error": {"code": ..., "message": ...}}}). */
final class ErrorCode {
  static final String INVALID_REQUEST = "invalid_request";
  static final String UNAUTHORIZED = "unauthorized";
  static final String NOT_FOUND = "not_found";
  static final String METHOD_NOT_ALLOWED = "method_not_allowed";
  static final String UNKNOWN_QUEUE = "unknown_queue";
  static final String LEASE_REJECTED = "lease_rejected";
  static final String PAYLOAD_TOO_LARGE = "payload_too_large";
  static final String UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type";
  static final String NOT_BROKER = "not_broker";
  static final String OUTCOME_UNKNOWN = "outcome_unknown";
  static final String UNAVAILABLE = "unavailable";
  static final String OVERLOADED = "overloaded";
  static final String QUEUE_FULL = "queue_full";
  static final String IDEMPOTENCY_BUDGET = "idempotency_budget";
  static final String INTERNAL = "internal";
  static final String FORBIDDEN = "forbidden";
  static final String HANDOVER_REFUSED = "handover_refused";

  private ErrorCode() {}
}
