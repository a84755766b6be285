package dev.casq.client;

import dev.casq.api.CasqException;
import dev.casq.api.InvalidRequestException;
import dev.casq.api.JobNotFoundException;
import dev.casq.api.LeaseRejectedException;
import dev.casq.api.PayloadTooLargeException;
import dev.casq.wire.ErrorCode;
import dev.casq.wire.ErrorReply;
import dev.casq.wire.ReplyReader;

/** Maps the broker's error answers to casq's exception hierarchy, keeping its message. */
final class Errors {
  private Errors() {}

  /** The exception for a final (not retried) error reply. */
  static CasqException of(int status, byte[] body, String jobId) {
    ErrorReply e = ReplyReader.error(body);
    return of(status, e.code(), BrokerConnection.message(status, body, e), jobId);
  }

  /** The exception for an error object of a batch slot. */
  static CasqException of(ErrorReply error, String jobId) {
    return of(0, error.code(), error.message(), jobId);
  }

  static CasqException of(int status, String code, String message, String jobId) {
    ErrorCode c = ErrorCode.ofWire(code).orElse(null);
    if (c != null) {
      switch (c) {
        case INVALID_REQUEST, UNSUPPORTED_MEDIA_TYPE -> {
          return new InvalidRequestException(message);
        }
        case PAYLOAD_TOO_LARGE -> {
          return new PayloadTooLargeException(message);
        }
        case NOT_FOUND -> {
          if (jobId != null) {
            return new RemoteJobNotFoundException(jobId, message);
          }
          return new BrokerErrorException(status, code, message);
        }
        case UNKNOWN_QUEUE -> {
          return new UnknownQueueException(message);
        }
        case LEASE_REJECTED -> {
          return new LeaseRejectedException(message);
        }
        case UNAUTHORIZED -> {
          return new UnauthorizedException(message);
        }
        default -> {
          // by status below
        }
      }
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
        return new BrokerErrorException(
            status,
            code,
            "broker error (HTTP " + status + (code == null ? "" : ", " + code) + "): " + message);
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
