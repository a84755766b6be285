package dev.casq.broker;

import dev.casq.api.CommitOutcomeUnknownException;
import dev.casq.api.InvalidRequestException;
import dev.casq.api.JobNotFoundException;
import dev.casq.api.LeaseRejectedException;
import dev.casq.api.PayloadTooLargeException;
import dev.casq.api.QueueClosedException;
import dev.casq.api.QueueException;
import dev.casq.core.internal.FencedException;
import dev.casq.storage.StorageException;
import dev.casq.wire.ErrorCode;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Maps what the queue throws to the API's status codes and error codes. */
final class ErrorMapping {
  private ErrorMapping() {}

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The API error for {@code t}; null means "a bug" (500, to be logged). */
  static ApiException map(Throwable thrown) {
    Throwable t = unwrap(thrown);
    if (t instanceof ApiException a) {
      return a;
    }
    if (t instanceof PayloadTooLargeException) {
      return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, t.getMessage());
    }
    if (t instanceof InvalidRequestException) {
      return new ApiException(ErrorCode.INVALID_REQUEST, t.getMessage());
    }
    if (t instanceof JobNotFoundException) {
      return new ApiException(ErrorCode.NOT_FOUND, t.getMessage());
    }
    if (t instanceof LeaseRejectedException) {
      return new ApiException(ErrorCode.LEASE_REJECTED, t.getMessage());
    }
    if (t instanceof FencedException f) {
      return new ApiException(ErrorCode.NOT_BROKER, t.getMessage(), f.currentBroker().orElse(null));
    }
    if (t instanceof CommitOutcomeUnknownException) {
      return new ApiException(
          ErrorCode.OUTCOME_UNKNOWN, t.getMessage() + "; retry with the same idempotency key");
    }
    if (t instanceof dev.casq.api.IdempotencyBudgetException) {
      return new ApiException(ErrorCode.IDEMPOTENCY_BUDGET, t.getMessage());
    }
    if (t instanceof dev.casq.api.QueueFullException) {
      return new ApiException(ErrorCode.QUEUE_FULL, t.getMessage());
    }
    if (t instanceof dev.casq.api.RequestFailedException) {
      return null; // a bug: 500, logged
    }
    if (t instanceof QueueClosedException) {
      return new ApiException(ErrorCode.UNAVAILABLE, t.getMessage());
    }
    if (t instanceof StorageException || t instanceof QueueException) {
      return new ApiException(ErrorCode.UNAVAILABLE, "storage failed: " + t.getMessage());
    }
    return null;
  }
}
