package dev.casq.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.api.CasqException;
import dev.casq.core.InvalidRequestException;
import dev.casq.core.JobNotFoundException;
import dev.casq.core.LeaseRejectedException;
import dev.casq.core.PayloadTooLargeException;

/** Maps the broker's error answers to casq's exception hierarchy, keeping its message. */
final class Errors {
  private Errors() {}

  /** The exception for a final (not retried) error reply. */
  static CasqException of(int status, byte[] body, String jobId) {
    String code = BrokerConnection.code(body);
    String message = BrokerConnection.message(status, body);
    return of(status, code, message, jobId);
  }

  /** The exception for an error object {@code {"code","message"}} (batch items). */
  static CasqException of(JsonNode error, String jobId) {
    String code = Wire.optText(error, "code");
    String message = Wire.optText(error, "message");
    return of(0, code, message == null ? String.valueOf(code) : message, jobId);
  }

  static CasqException of(int status, String code, String message, String jobId) {
    String c = code == null ? "" : code;
    switch (c) {
      case "invalid_request":
      case "unsupported_media_type":
        return new InvalidRequestException(message);
      case "payload_too_large":
        return new PayloadTooLargeException(message);
      case "not_found":
        if (jobId != null) {
          return new RemoteJobNotFoundException(jobId, message);
        }
        return new BrokerErrorException(status, code, message);
      case "unknown_queue":
        return new UnknownQueueException(message);
      case "lease_rejected":
        return new LeaseRejectedException(message);
      case "unauthorized":
        return new UnauthorizedException(message);
      default:
        break;
    }
    switch (status) {
      case 400:
        return new InvalidRequestException(message);
      case 401:
      case 403:
        return new UnauthorizedException(message);
      case 409:
        return new LeaseRejectedException(message);
      case 413:
        return new PayloadTooLargeException(message);
      default:
        return new BrokerErrorException(status, code, "broker error (HTTP " + status
            + (code == null ? "" : ", " + code) + "): " + message);
    }
  }

  /** {@link JobNotFoundException} carrying the broker's message. */
  static final class RemoteJobNotFoundException extends JobNotFoundException {
    private static final long serialVersionUID = 1L;
    private final String message;

    RemoteJobNotFoundException(String jobId, String message) {
      super(jobId);
      this.message = message;
    }

    @Override
    public String getMessage() {
      return message == null || message.isBlank() ? super.getMessage() : message;
    }
  }
}
