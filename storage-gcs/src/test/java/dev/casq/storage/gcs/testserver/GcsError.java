package dev.casq.storage.gcs.testserver;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

/**
 * An error answer of the test server, shaped as the GCS JSON API shapes it: {@code
 * {"error":{"code":412,"message":...,"errors":[{"domain":"global","reason":"conditionNotMet",
 * "message":...}]}}}.
 */
final class GcsError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int code;
  private final String reason;

  GcsError(int code, String reason, String message) {
    super(message);
    this.code = code;
    this.reason = reason;
  }

  static GcsError badRequest(String message) {
    return new GcsError(400, "invalid", message);
  }

  static GcsError notFound(String message) {
    return new GcsError(404, "notFound", message);
  }

  static GcsError noSuchBucket(String bucket) {
    return notFound("The specified bucket does not exist: " + bucket);
  }

  static GcsError noSuchObject(String bucket, String name) {
    return notFound("No such object: " + bucket + "/" + name);
  }

  static GcsError conditionNotMet(String message) {
    return new GcsError(412, "conditionNotMet", message);
  }

  static GcsError notModified() {
    return new GcsError(304, "notModified", "Not Modified");
  }

  static GcsError rateLimited() {
    return new GcsError(
        429,
        "rateLimitExceeded",
        "The object exceeded the rate limit for object mutation operations (injected fault)");
  }

  static GcsError unavailable() {
    return new GcsError(503, "backendError", "Backend Error (injected fault)");
  }

  int code() {
    return code;
  }

  String reason() {
    return reason;
  }

  /** The JSON body of this error. */
  String toJson() {
    JsonObject detail = new JsonObject();
    detail.addProperty("domain", "global");
    detail.addProperty("reason", reason);
    detail.addProperty("message", getMessage());
    JsonArray errors = new JsonArray();
    errors.add(detail);
    JsonObject error = new JsonObject();
    error.addProperty("code", code);
    error.addProperty("message", getMessage());
    error.add("errors", errors);
    JsonObject root = new JsonObject();
    root.add("error", error);
    return root.toString();
  }
}
